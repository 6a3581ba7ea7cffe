[ { key = 1; } { key = 10; } { key = 2; } { key = 3; } { key = 4; } { key = 6; } { key = 5; } { key = 8; } ]
