{
  name = "demo";
  base.image = "debian:bookworm";
  run.ports = [ { container = 70000; } ];
}
