{
  name = "demo";
  base.image = "debian:bookworm";
  build.steps = [ { name = "x\nRUN id"; run = "true"; } ];
}
