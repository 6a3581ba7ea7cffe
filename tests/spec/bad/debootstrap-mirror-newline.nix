{
  name = "demo";
  base.debootstrap = { suite = "bookworm"; mirror = "http://deb.debian.org/debian\n--keyring=/x"; };
}
