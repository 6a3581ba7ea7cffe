{ e = true; first = 1; len = 3; o = true; }
