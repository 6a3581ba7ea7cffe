{
  name = "demo";
  base.image = "debian:bookworm";
  build.workdir = "/opt/../etc";
}
