[ 3 5 [ 1 1 2 ] { a = 3; b = 2; } true 1 26 true true true true true 24 true true 3 -2 ]
