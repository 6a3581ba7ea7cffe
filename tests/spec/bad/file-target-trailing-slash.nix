{
  name = "demo";
  base.image = "debian:bookworm";
  build.files."/etc/app/".text = "x";
}
