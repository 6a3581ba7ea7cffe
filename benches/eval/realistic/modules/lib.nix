# A small nixpkgs-style library, as environment files tend to carry or import.
let
  inherit (builtins) attrNames concatMap concatStringsSep elem filter foldl' genList isAttrs length listToAttrs map mapAttrs replaceStrings substring stringLength;
in rec {
  mkDefault = value: { _type = "override"; priority = 1000; content = value; };
  mkForce = value: { _type = "override"; priority = 50; content = value; };
  isOverride = v: isAttrs v && v ? _type && v._type == "override";
  optionals = cond: xs: if cond then xs else [ ];
  optionalString = cond: s: if cond then s else "";
  optionalAttrs = cond: as: if cond then as else { };
  nameValuePair = name: value: { inherit name value; };
  mapAttrs' = f: set: listToAttrs (map (n: f n set.${n}) (attrNames set));
  mapAttrsToList = f: set: map (n: f n set.${n}) (attrNames set);
  filterAttrs = pred: set: listToAttrs (concatMap (n: let v = set.${n}; in if pred n v then [ (nameValuePair n v) ] else [ ]) (attrNames set));
  concatMapStringsSep = sep: f: list: concatStringsSep sep (map f list);
  unique = foldl' (acc: x: if elem x acc then acc else acc ++ [ x ]) [ ];
  flatten = x: if builtins.isList x then concatMap flatten x else [ x ];
  range = first: last: if first > last then [ ] else genList (n: first + n) (last - first + 1);
  hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;
  toUpper = replaceStrings [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ] [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];
  recursiveUpdate = lhs: rhs:
    let both = filter (n: lhs ? ${n}) (attrNames rhs); in
    lhs // rhs // listToAttrs (map (n: nameValuePair n (if isAttrs lhs.${n} && isAttrs rhs.${n} && !(isOverride rhs.${n}) then recursiveUpdate lhs.${n} rhs.${n} else rhs.${n})) both);
  # Resolve mkDefault/mkForce wrappers: the lowest priority number wins.
  resolve = v:
    if isOverride v then resolve v.content
    else if isAttrs v then mapAttrs (_: resolve) v
    else if builtins.isList v then map resolve v
    else v;
  mergeModules = modules: resolve (foldl' recursiveUpdate { } modules);
  count = length;
}
