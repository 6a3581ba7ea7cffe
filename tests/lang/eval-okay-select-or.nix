let s = { a = { b = 1; }; n = null; }; in
[ (s.a.b or 0) (s.a.c or 0) (s.x.y.z or "deep") (s.n or "present") ({ }.a or { }.b or 3) ]
