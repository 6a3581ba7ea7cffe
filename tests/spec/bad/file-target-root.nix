{
  name = "demo";
  base.image = "debian:bookworm";
  build.files."/".text = "x";
}
