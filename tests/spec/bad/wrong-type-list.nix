{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  build.apt = "git";
}
