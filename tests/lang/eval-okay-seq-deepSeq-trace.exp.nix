[ 2 "ok" "deep ok" "traced" 5 1 3 ]
