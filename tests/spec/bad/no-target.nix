{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  targets.docker.enable = false;
}
