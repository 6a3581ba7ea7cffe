{
  name = "demo";
  base.image = "debian:bookworm";
  build.pip.packages = [ "-r /etc/shadow" ];
}
