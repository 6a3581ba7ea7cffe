{
  name = "demo";
  base.image = "debian:bookworm";
  run.ports = [ { container = 80; address = "localhost"; } ];
}
