{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  run.env."1X" = "value";
}
