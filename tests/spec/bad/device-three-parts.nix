{
  name = "demo";
  base.image = "debian:bookworm";
  run.devices = [ "/dev/fuse:/dev/fuse:rwm" ];
}
