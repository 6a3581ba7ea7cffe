{
  name = "demo";
  base.image = "debian:bookworm";
  build.pip.index_url = "ftp://mirror.example/simple";
}
