{ ab = { v = 4; x = 1; y = { w = 3; }; }; ba = { v = 4; x = 1; y = { z = 2; }; }; chain = { v = 4; x = 9; y = «repeated»; }; e = { }; }
