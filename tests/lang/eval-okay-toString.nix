[ (toString 1) (toString (-3)) (toString 1.5) (toString 100.0) (toString true) (toString false) (toString null) (toString "s")
  (toString [ 1 "a" null true [ 2 3 ] ]) (toString [ ]) (toString { __toString = self: "custom " + self.v; v = "x"; })
  (toString { outPath = "/out/path"; }) "${{ outPath = "interp"; }}" (builtins.toString 0.1) (toString 1.0e20) ]
