{
  name = "demo";
  base.image = "debian:bookworm";
  run.devices = [ "/etc/shadow" ];
}
