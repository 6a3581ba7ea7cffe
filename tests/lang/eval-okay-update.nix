let a = { x = 1; y = { z = 2; }; }; b = { y = { w = 3; }; v = 4; }; in
{ ab = a // b; ba = b // a; e = { } // { } ; chain = a // b // { x = 9; }; }
