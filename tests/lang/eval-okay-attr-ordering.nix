# Attribute names sort bytewise in the output.
{ b = 1; a = 2; B = 3; _x = 4; "10" = 5; "9" = 6; "a b" = 7; "é" = 8; z = 9; "" = 10; "-" = 11; }
