# deepSeq terminates on a cyclic value.
let as = { x = 123; y = as; }; in builtins.deepSeq as as.y.y.x
