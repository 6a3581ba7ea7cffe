let
  parts = builtins.genList (i: "item-${toString i}") 100000;
  joined = builtins.concatStringsSep "," parts;
in {
  length = builtins.stringLength joined;
  replaced = builtins.stringLength (builtins.replaceStrings [ "item" ] [ "x" ] joined);
  built = builtins.stringLength (builtins.foldl' (acc: s: acc + s) "" (builtins.genList (i: toString i) 20000));
}
