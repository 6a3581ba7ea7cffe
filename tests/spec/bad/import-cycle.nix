{
  imports = [ ./parts/cycle-a.nix ];
  name = "demo";
  base.debootstrap.suite = "bookworm";
}
