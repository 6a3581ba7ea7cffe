{
  name = "demo-" + 1;
  base.debootstrap.suite = "bookworm";
}
