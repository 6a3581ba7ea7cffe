with builtins;
let
  v = { a = 1; b = [ true false null ]; c = "str \"q\" \n\t\\ é ☃"; d = { e = 1.5; f = -2; }; g = [ ]; h = { }; i = 0.1; j = 1.0e20; };
in {
  to = toJSON v;
  toScalars = map toJSON [ 1 "s" null true 2.5 [ ] { } ];
  roundTrip = fromJSON (toJSON v) == v;
  from = fromJSON ''{"x": [1, 2.5, -3, 1e3, 1E-2, true, null, "s\u00e9\n\"", {"y": {}}], "z": "", "big": 9223372036854775807}'';
  fromScalars = map fromJSON [ "1" "-1" "1.0" "\"s\"" "null" "false" "[]" "{}" " 7 " "0" "-0.5" ];
  fromDup = fromJSON ''{"a": 1, "a": 2}'';
  unicodeEscapes = fromJSON ''"\u0041\u00e9\u2603\ud83d\ude00"'';
  control = toJSON (fromJSON "\"\\u0001\\u001f\\t\\u007f\"");
}
