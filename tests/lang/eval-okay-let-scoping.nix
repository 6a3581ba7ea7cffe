let
  x = 1;
  f = y: let x = y * 10; in x + 1;
  g = x: x;
  h = { x ? 5 }: x;
  nested = let a = 1; in let b = a + 1; in let a = 10; in a + b;
in [ (f 2) (g 3) (h { }) x nested ]
