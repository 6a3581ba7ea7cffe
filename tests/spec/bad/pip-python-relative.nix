{
  name = "demo";
  base.image = "debian:bookworm";
  build.pip.python = "python3";
}
