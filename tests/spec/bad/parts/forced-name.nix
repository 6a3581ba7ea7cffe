{ lib, ... }:
{ name = lib.mkForce "theirs"; }
