with builtins;
[ (foldl' (_: x: x) (throw "initial accumulator is not forced") [ 1 2 ]) (foldl' (a: _: a) 0 [ (throw "elements are not forced") ])
  (length (foldl' (acc: x: acc ++ [ (throw "lazy element") ]) [ ] [ 1 2 ])) ]
