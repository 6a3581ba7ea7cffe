# The names Nix exposes without `builtins.`, and `builtins` itself.
[ (toString 1) (map (x: x + 1) [ 1 ]) (isNull null) (baseNameOf "/a/b") (dirOf "/a/b") (removeAttrs { a = 1; b = 2; } [ "a" ])
  (builtins.isAttrs builtins) (builtins.builtins.true) true false null (builtins.null == null) (builtins.false)
  (import ./imports/value.nix).answer (builtins.tryEval (throw "top-level throw")).success ]
