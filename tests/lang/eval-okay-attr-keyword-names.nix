# `or` is a valid attribute name; other keywords need quotes.
let s = { or = 1; "if" = 2; "then".x = 3; }; in [ s.or s."if" s."then".x (s ? or) ]
