[ "pos" "neg" "zero" 1 2 ]
