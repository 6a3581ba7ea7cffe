{
  name = "demo";
  base.image = "debian:bookworm";
  build.files."/x".source = "parts/loop-a";
}
