{
  name = "demo";
  base.image = "debian:bookworm";
  run.ports = [ { container = 53; protocol = "sctp"; } ];
}
