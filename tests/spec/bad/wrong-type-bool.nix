{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  run.x11 = "yes";
}
