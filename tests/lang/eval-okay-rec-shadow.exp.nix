{ inner = { y = "outer"; }; y = "outer"; z = "let"; }
