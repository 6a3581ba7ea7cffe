{ a = 1; b = 3; c = 2; nested = { x = 3; }; self = 30; }
