{
  name = "demo";
  base.image = "debian:bookworm";
  build.files."/x".url = "https://u:p@example.org/x";
}
