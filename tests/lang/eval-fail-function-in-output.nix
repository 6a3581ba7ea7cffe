{ ok = 1; f = x: x; }
