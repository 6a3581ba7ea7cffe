[ 1 2 [ "x" "y" ] 2 3 4 5 6 7 3 true 1 8 true 9 false [ "k" ] 10 ]
