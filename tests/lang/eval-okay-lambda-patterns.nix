let
  f = { a, b ? a * 2, ... }@all: { inherit a b; n = builtins.length (builtins.attrNames all); };
  g = all@{ ... }: all;
  h = { x ? { y = 1; } }: x.y;
  curry = a: { b }: c: a + b + c;
in [ (f { a = 1; }) (f { a = 1; b = 1; z = 0; }) (g { q = 1; }) (h { }) (h { x = { y = 2; }; }) (curry 1 { b = 2; } 3) ]
