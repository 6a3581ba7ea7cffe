{
  name = "demo";
  base.image = "debian:bookworm";
  run.user.shell = "bash";
}
