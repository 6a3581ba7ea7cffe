with builtins;
[ (add 1 2) (add 1.5 1) (sub 10 3) (sub 1 2.5) (mul 6 7) (mul 2 0.5) (div 7 2) (div (-7) 2) (div 7.0 2) (div 1 4.0)
  (lessThan 1 2) (lessThan 2 1) (lessThan "a" "b") (lessThan 1 1.5) (ceil 1.2) (ceil (-1.2)) (floor 1.8) (floor (-1.2)) (ceil 3) (floor 2.0) ]
