# `args@` holds only what the caller passed, never the defaults.
let f = args@{ a ? 1, b ? 2 }: { inherit a b; passed = builtins.attrNames args; }; in
f { b = 3; }
