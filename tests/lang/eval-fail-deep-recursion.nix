# Unbounded (non-thunk) recursion: an error, never a crash of the evaluator.
let f = n: 1 + f (n + 1); in f 0
