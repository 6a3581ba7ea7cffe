with builtins;
map (e: (tryEval e).success) [ (throw "t") (assert false; 1) 1 "s" (tryEval (throw "nested")) null ]
