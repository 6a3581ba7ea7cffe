{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  run.network = {
    name = "host";
    create = true;
  };
}
