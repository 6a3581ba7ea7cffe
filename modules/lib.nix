# envc's `lib`: the module-system helpers of nixpkgs' `lib`, in the same shapes, so that a
# config means the same thing to envc and to real Nix (`nix-instantiate --eval --strict
# --json` prints the wrappers as plain attribute sets, which envc then merges).
#
# Priorities (lower wins): mkForce 50 < plain definitions 100 < mkDefault 1000.
# List order (lower first): mkBefore 500 < plain 1000 < mkAfter 1500.
let
  mkOverride = priority: content: {
    _type = "override";
    inherit priority content;
  };

  mkOrder = priority: content: {
    _type = "order";
    inherit priority content;
  };

  foldr = op: nul: list:
    let
      len = builtins.length list;
      fold = n: if n == len then nul else op (builtins.elemAt list n) (fold (n + 1));
    in
    fold 0;

  concatMapStrings = f: list: builtins.concatStringsSep "" (map f list);
in
rec {
  inherit mkOverride mkOrder foldr concatMapStrings;

  # Priorities, as in nixpkgs' lib/modules.nix.
  defaultOverridePriority = 100;
  mkOptionDefault = mkOverride 1500;
  mkDefault = mkOverride 1000;
  mkImageMediaOverride = mkOverride 60;
  mkForce = mkOverride 50;
  mkVMOverride = mkOverride 10;

  defaultOrderPriority = 1000;
  mkBefore = mkOrder 500;
  mkAfter = mkOrder 1500;

  mkIf = condition: content: {
    _type = "if";
    inherit condition content;
  };

  mkMerge = contents: {
    _type = "merge";
    inherit contents;
  };

  # Lists.
  optional = cond: elem: if cond then [ elem ] else [ ];
  optionals = cond: elems: if cond then elems else [ ];
  flatten = x: if builtins.isList x then builtins.concatMap flatten x else [ x ];
  unique = foldl' (acc: e: if builtins.elem e acc then acc else acc ++ [ e ]) [ ];
  foldl' = builtins.foldl';
  concatMap = builtins.concatMap;
  range = first: last: if first > last then [ ] else builtins.genList (n: first + n) (last - first + 1);
  imap0 = f: list: builtins.genList (n: f n (builtins.elemAt list n)) (builtins.length list);
  imap1 = f: list: builtins.genList (n: f (n + 1) (builtins.elemAt list n)) (builtins.length list);
  remove = e: builtins.filter (x: x != e);
  last = list: builtins.elemAt list (builtins.length list - 1);
  reverseList = list:
    let len = builtins.length list; in builtins.genList (n: builtins.elemAt list (len - n - 1)) len;

  # Strings.
  optionalString = cond: string: if cond then string else "";
  concatStrings = builtins.concatStringsSep "";
  concatStringsSep = builtins.concatStringsSep;
  concatMapStringsSep = sep: f: list: builtins.concatStringsSep sep (map f list);
  concatLines = list: builtins.concatStringsSep "" (map (l: l + "\n") list);
  hasPrefix = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;
  hasSuffix = suffix: s:
    let
      ls = builtins.stringLength s;
      lx = builtins.stringLength suffix;
    in
    ls >= lx && builtins.substring (ls - lx) lx s == suffix;
  removePrefix = prefix: s:
    if hasPrefix prefix s
    then builtins.substring (builtins.stringLength prefix) (builtins.stringLength s) s
    else s;
  toUpper = builtins.replaceStrings
    [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ]
    [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];
  toLower = builtins.replaceStrings
    [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ]
    [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
  splitString = sep: s: builtins.filter builtins.isString (builtins.split (escapeRegex sep) s);
  escapeRegex = builtins.replaceStrings
    [ "\\" "." "*" "+" "?" "(" ")" "[" "]" "{" "}" "|" "^" "$" ]
    [ "\\\\" "\\." "\\*" "\\+" "\\?" "\\(" "\\)" "\\[" "\\]" "\\{" "\\}" "\\|" "\\^" "\\$" ];

  # Attribute sets.
  optionalAttrs = cond: attrs: if cond then attrs else { };
  mapAttrs = builtins.mapAttrs;
  mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (builtins.attrNames attrs);
  attrNames = builtins.attrNames;
  attrValues = builtins.attrValues;
  filterAttrs = pred: attrs:
    builtins.listToAttrs (builtins.concatMap
      (name: if pred name attrs.${name} then [ { inherit name; value = attrs.${name}; } ] else [ ])
      (builtins.attrNames attrs));
  genAttrs = names: f: builtins.listToAttrs (map (name: { inherit name; value = f name; }) names);
  nameValuePair = name: value: { inherit name value; };
  listToAttrs = builtins.listToAttrs;
  recursiveUpdate = lhs: rhs:
    lhs // builtins.mapAttrs
      (name: value:
        if builtins.isAttrs value && lhs ? ${name} && builtins.isAttrs lhs.${name}
        then recursiveUpdate lhs.${name} value
        else value)
      rhs;
  attrByPath = path: default: set:
    if path == [ ] then set
    else
      let head = builtins.head path; in
      if set ? ${head} then attrByPath (builtins.tail path) default set.${head} else default;

  # Misc.
  id = x: x;
  const = x: _: x;
  boolToString = b: if b then "true" else "false";
}
