{ lib, ... }:
{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  build.apt = [ (lib.mkForce "git") ];
}
