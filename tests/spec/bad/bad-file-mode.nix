{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  build.files."/etc/motd" = {
    text = "hello";
    mode = "0999";
  };
}
