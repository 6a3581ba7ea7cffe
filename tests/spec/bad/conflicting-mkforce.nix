{ lib, ... }:
{
  imports = [ ./parts/forced-name.nix ];
  name = lib.mkForce "mine";
  base.debootstrap.suite = "bookworm";
}
