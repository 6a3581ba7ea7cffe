let
  base = { a = throw "lazy"; b = 1; c.d = 2; };
  over = base // { b = 2; c = { e = 3; }; };
in { b = over.b; c = over.c; names = builtins.attrNames over; }
