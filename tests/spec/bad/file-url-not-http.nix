{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  build.files."/opt/tool.tar.gz" = {
    url = "ftp://example.org/tool.tar.gz";
    sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
  };
}
