{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  run.user = {
    mode = "fixed";
    uid = "1000";
  };
}
