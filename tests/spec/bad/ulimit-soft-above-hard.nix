{
  name = "demo";
  base.image = "debian:bookworm";
  run.ulimits.nofile = { soft = 100; hard = 10; };
}
