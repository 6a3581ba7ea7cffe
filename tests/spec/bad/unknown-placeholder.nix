{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  run.env.DATA = "/home/{usr}/data";
}
