{
  base.debootstrap.suite = "bookworm";
  build.apt = [ "git" ];
}
