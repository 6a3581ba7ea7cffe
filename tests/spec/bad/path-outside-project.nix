{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  build.files."/etc/passwd".source = /etc/passwd;
}
