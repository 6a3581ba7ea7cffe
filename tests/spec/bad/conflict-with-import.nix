{
  imports = [ ./parts/name-a.nix ];
  name = "demo";
  base.debootstrap.suite = "bookworm";
}
