{
  name = "demo";
  base.image = "debian:bookworm";
  run.mount = [ ];
}
