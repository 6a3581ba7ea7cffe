let s = { a = { b = { c = null; }; }; "x y" = 1; }; in
[ (s ? a) (s ? z) (s ? a.b) (s ? a.b.c) (s ? a.b.c.d) (s ? "x y") (s ? ${"a"}) (1 ? a) ("s" ? a) ]
