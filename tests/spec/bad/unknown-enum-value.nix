{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  run.user.mode = "hots";
}
