{
  name = "demo";
  base.image = "debian:bookworm";
  run.cap_drop = [ "net_admin" ];
}
