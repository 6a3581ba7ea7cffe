let
  id = x: x;
  compose = f: g: x: f (g x);
  add = a: b: a + b;
  inc = add 1;
in [ (id 1) (compose inc inc 0) (inc 41) ((x: y: x - y) 10 3) ]
