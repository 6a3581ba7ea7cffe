{
  nmae = "demo";
  base.debootstrap.suite = "bookworm";
}
