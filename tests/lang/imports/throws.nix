{ ok = 1; bad = throw "lazy import member"; }
