{
  name = "demo";
  base.image = "debian:bookworm";
  build.apt = [ curl ];
}
