with builtins;
[ (toJSON [ 0 (-1) 9223372036854775807 1.5 (-0.25) 1.0e-10 123456789.0 3.0 ]) (fromJSON "[1.0, 2e2, -0.0, 1.5e300, 12345678901234]")
  (toJSON { "quo\"te" = "back\\slash"; "new\nline" = "tab\t"; }) (toJSON "\${}") (fromJSON (toJSON "é☃\n")) ]
