# The `with` scope is only forced when a name is not found lexically.
let x = 1; in with (throw "not forced"); x
