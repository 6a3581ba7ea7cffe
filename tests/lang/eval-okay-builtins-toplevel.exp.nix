[ "1" [ 2 ] true "b" "/a" { b = 2; } true true true false null true false 42 false ]
