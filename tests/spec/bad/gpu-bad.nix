{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  run.gpu = "some";
}
