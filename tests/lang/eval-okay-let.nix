let
  a = 1;
  b = a + 1;
  c = let a = 10; in a + b;
  f = x: y: x * y;
in { inherit a b c; d = f b c; }
