{ a = { name = "a"; values = [ 1 5 ]; }; b = { name = "b"; values = [ 2 3 ]; }; c = { name = "c"; values = [ 4 ]; }; }
