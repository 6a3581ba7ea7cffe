(builtins.derivation { name = "x"; system = "s"; builder = "/b"; }).name
