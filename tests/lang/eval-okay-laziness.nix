let
  bad = throw "must not be forced";
  s = { a = bad; b = 1; };
  f = x: y: y;
in [
  s.b
  (builtins.length [ bad bad ])
  (builtins.attrNames { x = bad; y = bad; })
  (f bad 2)
  ({ a = bad; } // { b = 3; }).b
  (builtins.head [ 4 bad ])
  (let x = bad; in 5)
  ((x: 6) bad)
  (({ a ? bad, b }: b) { b = 7; })
  (builtins.elemAt (builtins.genList (i: if i == 2 then bad else i) 4) 3)
  (builtins.isAttrs (builtins.mapAttrs (n: v: bad) { a = 1; }))
  (builtins.length (builtins.filter (x: x) [ true false ]))
  (if true then 8 else bad)
  (true || bad)
  (builtins.seq (x: bad) 9)
  ((builtins.tryEval bad).success)
  (builtins.attrNames (builtins.listToAttrs [ { name = "k"; value = bad; } ]))
  (rec { a = bad; b = 10; }).b
]
