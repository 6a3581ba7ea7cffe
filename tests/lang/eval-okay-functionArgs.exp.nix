[ { a = false; b = true; } { } { } { x = true; } { } ]
