{
  imports = [ ./parts/nope.nix ];
  name = "demo";
  base.debootstrap.suite = "bookworm";
}
