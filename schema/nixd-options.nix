# envc's fields as option declarations, for nixd users who edit envc.nix with their Nix
# language server (`"nixd": { "options": { "envc": { "expr": "import .../schema/nixd-options.nix" } } }`).
# Built from envc.schema.json beside this file (what `envc schema` prints), without nixpkgs:
# each leaf is what `lib.mkOption` makes (`_type = "option"`, a description, a type with a
# description, the default), each attribute set a set of such options.
let
  schema = builtins.fromJSON (builtins.readFile ./envc.schema.json);
  defs = schema."$defs";
  refName = s: builtins.substring 8 1000 s."$ref";
  resolve =
    s:
    if s ? "$ref" then
      resolve defs.${refName s}
    else if s ? allOf && builtins.length s.allOf == 1 then
      resolve (builtins.head s.allOf)
    else
      s;
  branches = s: (s.anyOf or [ ]) ++ (s.oneOf or [ ]) ++ (s.allOf or [ ]);
  props =
    s:
    let
      r = resolve s;
    in
    builtins.foldl' (acc: b: props b // acc) (r.properties or { }) (branches r);
  typeText =
    s:
    let
      r = resolve s;
      t = r.type or "value";
    in
    if s ? "$ref" then
      refName s
    else if builtins.isList t then
      builtins.concatStringsSep " or " (builtins.filter (x: x != "null") t)
    else if t == "array" then
      "list of ${typeText (r.items or { })}"
    else
      t;
  option =
    depth: name: s:
    let
      sub = props s;
    in
    if sub != { } && depth < 6 then
      builtins.mapAttrs (option (depth + 1)) sub
    else
      {
        _type = "option";
        description = s.description or (resolve s).description or "";
        type = {
          name = typeText s;
          description = typeText s;
        };
      }
      // (if s ? default then { inherit (s) default; } else { });
in
builtins.mapAttrs (option 0) (builtins.removeAttrs schema.properties [ "$schema" ])
