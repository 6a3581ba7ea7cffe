{
  name = "demo";
  base.image = "debian:bookworm";
  env.X = 1 + "a";
}
