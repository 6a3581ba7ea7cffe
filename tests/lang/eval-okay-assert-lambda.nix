let check = x: assert builtins.isString x; "ok: ${x}"; in [ (check "a") (builtins.tryEval (check 1)).success ]
