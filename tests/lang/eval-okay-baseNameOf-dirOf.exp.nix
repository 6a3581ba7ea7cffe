[ "c.nix" "b" "c" "" "value.nix" "/a/b" "/" "a" "." "/" "/a/b" "y" true "imports" ]
