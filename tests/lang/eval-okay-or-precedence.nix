let s = { a = { b = 1; }; c = { d = 2; }; }; f = x: x + 1; in
[ (s.a.x or s.c.d) (f s.a.b or 10) (f (s.x or 5)) (s.a.b or 0 + 1) ([ s.x or 1 2 ]) ({ v = s.q or "q"; }.v) ]
