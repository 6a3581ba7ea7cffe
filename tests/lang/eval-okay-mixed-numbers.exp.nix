[ 1.5 3 2 0.5 true true "float" "int" -3 -0.5 3 ]
