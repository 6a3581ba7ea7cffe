{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  build.files."/etc/motd" = {
    source = "parts/motd";
    text = "hello";
  };
}
