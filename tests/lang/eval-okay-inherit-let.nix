let
  src = { a = 1; b = 2; };
  inherit (src) a b;
  c = 3;
in let inherit c; in a + b + c
