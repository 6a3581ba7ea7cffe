{
  name = "demo";
  base.debootstrap.suite = "../../../../proc/self/cwd/evil";
}
