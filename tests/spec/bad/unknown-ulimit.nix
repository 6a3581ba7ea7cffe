{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  run.ulimits.nofiles = {
    soft = 1024;
    hard = 4096;
  };
}
