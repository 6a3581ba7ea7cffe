{
  name = "demo";
  base.image = "debian:bookworm";
  build.steps = [ { run = "make"; workdir = "src"; } ];
}
