{
  name = "demo";
  base.image = "debian:bookworm";
  run.network.name = "a/../b";
}
