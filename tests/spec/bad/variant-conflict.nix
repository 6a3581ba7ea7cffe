{
  name = "demo";
  base.image = "debian:bookworm";
  variants.old.base.image = "debian:bullseye";
}
