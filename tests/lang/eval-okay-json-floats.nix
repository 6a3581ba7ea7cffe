with builtins;
[ (toJSON 1.0e300) (toJSON 1.0e-300) (fromJSON "1e-3") (fromJSON "123456789012.5") (toJSON (fromJSON "0.1")) (fromJSON "[]") (toJSON 100000.0) (toJSON 1000000.0) ]
