# The pipe operators are experimental in Nix (not in Nix 2.8): envc-only when rnix parses them.
# envc: only
[ (1 |> (x: x + 1)) ([ 1 2 3 ] |> builtins.map (x: x * 2) |> builtins.length) ((x: x * 10) <| 2) ]
