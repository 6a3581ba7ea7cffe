{
  name = "demo";
  base.image = "debian:bookworm";
  description = "a\nb";
}
