{
  name = "demo";
  base.image = "debian:bookworm";
  variants.GPU = { };
}
