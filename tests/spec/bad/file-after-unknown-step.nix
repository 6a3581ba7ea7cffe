{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  build.steps = [ { name = "build deps"; run = "true"; } ];
  build.files."/opt/app" = {
    text = "code";
    after = "build dep";
  };
}
