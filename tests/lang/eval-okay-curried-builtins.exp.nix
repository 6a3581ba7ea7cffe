[ [ 2 3 ] [ false true ] 6 [ 1 ] "bb" ]
