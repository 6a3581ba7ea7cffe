{
  name = "demo";
  base.image = "debian:bookworm";
  build.entrypoint = [ "{home}/bin/start" ];
}
