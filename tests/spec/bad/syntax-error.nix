{
  name = "demo"
  base.debootstrap.suite = "bookworm";
}
