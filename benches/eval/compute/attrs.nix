let
  n = 50000;
  set = builtins.listToAttrs (builtins.genList (i: { name = "key${toString i}"; value = i; }) n);
  names = builtins.attrNames set;
in {
  count = builtins.length names;
  sum = builtins.foldl' (acc: k: acc + set.${k}) 0 names;
  updated = builtins.length (builtins.attrNames (set // { extra = 1; key0 = 2; }));
  hits = builtins.length (builtins.filter (i: set ? "key${toString (i * 7)}") (builtins.genList (i: i) 10000));
}
