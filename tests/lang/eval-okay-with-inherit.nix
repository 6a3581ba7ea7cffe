# `inherit x;` looks `x` up lexically, falling back to `with` scopes like any variable.
with { x = "from-with"; y = "with-y"; };
let y = "let-y"; in { inherit x y; }
