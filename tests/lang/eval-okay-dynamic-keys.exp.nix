{ a = { key = { b = 4; }; other = 5; }; key = 1; key2 = 2; pre-3-post = 3; y = 6; }
