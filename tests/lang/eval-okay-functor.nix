let
  counter = { n = 1; __functor = self: x: self.n + x; };
  nested = { __functor = self: a: b: a * b; };
in [ (counter 41) (nested 6 7) (builtins.isFunction counter) (builtins.map counter [ 1 2 ]) ]
