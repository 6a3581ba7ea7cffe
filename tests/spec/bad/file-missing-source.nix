{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  build.files."/etc/app.conf".source = "conf/app.conf";
}
