[ 42 42 false [ 2 3 ] ]
