{
  name = "demo";
  base.image = "debian:bookworm";
  run.tmpfs = [ { target = "tmp"; } ];
}
