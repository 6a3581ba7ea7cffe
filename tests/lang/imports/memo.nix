builtins.trace "imported once" { v = 1; }
