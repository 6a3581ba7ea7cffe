let graph = { a = [ "b" "c" ]; b = [ "d" ]; c = [ "d" "a" ]; d = [ ]; }; in
map (x: x.key) (builtins.genericClosure { startSet = [ { key = "a"; } ]; operator = x: map (k: { key = k; }) graph.${x.key}; })
