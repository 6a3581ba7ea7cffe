{
  name = "demo";
  base.debootstrap = { suite = "bookworm"; components = [ "main,contrib" ]; };
}
