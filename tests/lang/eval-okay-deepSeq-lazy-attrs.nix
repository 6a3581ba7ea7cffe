let s = { a = 1; b = { c = 2; }; }; in builtins.deepSeq s (builtins.seq s.b [ s.a s.b.c ])
