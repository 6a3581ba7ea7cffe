{
  name = "demo";
  base.image = "debian:bookworm";
  run.mounts = [ { source = "/data"; target = "/data/../etc"; } ];
}
