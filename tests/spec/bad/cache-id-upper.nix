{
  name = "demo";
  base.image = "debian:bookworm";
  build.steps = [ { run = "true"; caches = [ { id = "Pip"; target = "/root/.cache/pip"; } ]; } ];
}
