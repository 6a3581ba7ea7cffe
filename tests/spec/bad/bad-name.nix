{
  name = "My Project";
  base.debootstrap.suite = "bookworm";
}
