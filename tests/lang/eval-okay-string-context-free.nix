# Strings built from other strings are plain strings (no store contexts in envc).
let a = "x"; b = "${a}y"; in [ (b == "xy") (builtins.stringLength b) (builtins.typeOf b) (builtins.substring 1 1 b) ]
