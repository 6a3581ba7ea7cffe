{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  build.steps = [ { run = "true"; } ];
  build.files."/opt/app" = {
    text = "code";
    after = "compile";
  };
}
