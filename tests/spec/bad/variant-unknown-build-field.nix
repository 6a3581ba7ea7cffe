{
  name = "demo";
  base.image = "debian:bookworm";
  variants.gpu.buld = { };
}
