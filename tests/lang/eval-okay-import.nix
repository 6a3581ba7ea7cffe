{
  value = import ./imports/value.nix;
  fn = import ./imports/function.nix { x = 4; };
  relative = import ./imports/sub/relative.nix;
  dir = import ./imports/dir-default;
  lib = import ./imports/uses-lib.nix;
  lazy = (import ./imports/throws.nix).ok;
  twice = (import ./imports/memo.nix).v + (import ./imports/memo.nix).v;
  viaString = (import (./imports + "/value.nix")).answer;
  applied = builtins.import ./imports/function.nix { x = 2; y = 3; };
}
