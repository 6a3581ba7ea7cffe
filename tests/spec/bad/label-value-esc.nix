{
  name = "demo";
  base.image = "debian:bookworm";
  build.labels."org.example.x" = "]0;pwned";
}
