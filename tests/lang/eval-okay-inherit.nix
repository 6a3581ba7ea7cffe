let
  a = 1;
  b = 2;
  src = { c = 3; d = 4; e.f = 5; };
in {
  inherit a b;
  inherit (src) c d;
  inherit (src.e) f;
  inherit ({ g = 6; }) g;
}
