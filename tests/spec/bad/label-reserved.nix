{
  name = "demo";
  base.image = "debian:bookworm";
  build.labels."dev.envc.key" = "forged";
}
