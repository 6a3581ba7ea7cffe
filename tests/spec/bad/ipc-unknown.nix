{
  name = "demo";
  base.image = "debian:bookworm";
  run.ipc = "shared";
}
