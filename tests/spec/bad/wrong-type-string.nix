{
  name = 3;
  base.debootstrap.suite = "bookworm";
}
