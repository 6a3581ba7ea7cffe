{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  run.ports = [ { container = 70000; } ];
}
