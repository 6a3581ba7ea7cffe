[ 1 2 3 true ]
