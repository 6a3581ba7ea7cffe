{
  name = "demo";
  base.debootstrap = { suite = "bookworm"; mirror = "file:///etc"; };
}
