{
  name = "demo";
  base.imgae = "debian:bookworm";
}
