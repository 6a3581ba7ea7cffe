[ (builtins.tryEval (throw "x")) (builtins.tryEval 1) (builtins.tryEval (assert false; 1))
  (builtins.tryEval { a = throw "not deep"; }).success (builtins.tryEval [ (throw "lazy element") ]).success
  (builtins.tryEval (builtins.deepSeq [ (throw "deep") ] 1)) (builtins.tryEval (if true then throw "t" else 1)).value ]
