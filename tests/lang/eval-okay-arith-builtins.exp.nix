[ 3 2.5 7 -1.5 42 1 3 -3 3.5 0.25 true false true true 2 -1 1 -2 3 2 ]
