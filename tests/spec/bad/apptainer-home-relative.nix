{
  name = "demo";
  base.image = "debian:bookworm";
  targets.apptainer.home = "home";
}
