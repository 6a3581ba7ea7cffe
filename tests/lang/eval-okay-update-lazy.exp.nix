{ b = 2; c = { e = 3; }; names = [ "a" "b" "c" ]; }
