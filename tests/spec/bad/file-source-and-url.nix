{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  build.files."/opt/tool.tar.gz" = {
    source = "parts/motd";
    url = "https://example.org/tool.tar.gz";
  };
}
