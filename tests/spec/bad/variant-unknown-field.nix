{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  variants.big.build.aptt = [ "git" ];
}
