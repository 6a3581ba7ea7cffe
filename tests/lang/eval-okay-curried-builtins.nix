with builtins;
let add1 = add 1; elemOf = elem; in
[ (map add1 [ 1 2 ]) (map (elemOf 2) [ [ 1 ] [ 2 ] ]) ((foldl' add) 0 [ 1 2 3 ]) (map (getAttr "a") [ { a = 1; } ]) ((replaceStrings [ "a" ]) [ "b" ] "aa") ]
