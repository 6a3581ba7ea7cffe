{ a = { b = { c = 1; d = 2; }; e = { f = 3; g = 4; }; }; "quoted key" = { z = true; }; "with.dot" = 5; x = { y = 1; }; }
