{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  build.pip.pakages = [ "numpy==1.26.4" ];
}
