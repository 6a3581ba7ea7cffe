# Deep but finite recursion and long lists evaluate fine.
let
  count = n: if n == 0 then 0 else 1 + count (n - 1);
  sumTo = n: acc: if n == 0 then acc else sumTo (n - 1) (acc + n);
  chain = builtins.foldl' (acc: i: { prev = acc; inherit i; }) null (builtins.genList (i: i) 1000);
in [ (count 5000) (sumTo 10000 0) chain.i chain.prev.prev.i (builtins.length (builtins.genList (i: i) 100000)) ]
