[ ((x: x + 1) 1) (builtins.length (builtins.map (x: x * 2) [ 1 2 3 ])) ((x: x * 10) 2) ]
