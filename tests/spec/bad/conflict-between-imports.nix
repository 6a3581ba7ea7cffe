{
  imports = [
    ./parts/name-a.nix
    ./parts/name-b.nix
  ];
  base.debootstrap.suite = "bookworm";
}
