{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  run.user.uid = 1000;
}
