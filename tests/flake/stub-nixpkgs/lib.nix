# The pieces of nixpkgs' `lib` that envc's flake uses, with the same argument checks.
let
  inherit (builtins)
    all
    any
    concatMap
    filter
    genList
    isAttrs
    isList
    isPath
    length
    listToAttrs
    pathExists
    stringLength
    substring
    ;

  hasPrefix = prefix: s: substring 0 (stringLength prefix) s == prefix;

  isFileset = x: isAttrs x && x ? _type && x._type == "fileset";

  # A fileset is the list of the paths (files or whole directories) it holds.
  coerce =
    context: x:
    if isFileset x then
      x
    else if isPath x then
      if pathExists x then
        {
          _type = "fileset";
          paths = [ x ];
        }
      else
        throw "lib.fileset.${context}: ${toString x} is a path that does not exist; to create a file set from a path that may not exist, use `lib.fileset.maybeMissing`"
    else
      throw "lib.fileset.${context}: expected a file set or a path, got ${builtins.typeOf x}";
in
rec {
  systems.stubbed = [
    "x86_64-linux"
    "aarch64-linux"
    "x86_64-darwin"
    "aarch64-darwin"
  ];

  genAttrs =
    names: f:
    listToAttrs (
      map (n: {
        name = n;
        value = f n;
      }) names
    );

  optionalString = cond: s: if cond then s else "";
  optionals = cond: xs: if cond then xs else [ ];

  getExe =
    x:
    if x ? meta.mainProgram then
      "${x}/bin/${x.meta.mainProgram}"
    else
      throw "lib.getExe: ${x.name or "the package"} has no meta.mainProgram";

  licenses = {
    mit = {
      spdxId = "MIT";
      free = true;
    };
    asl20 = {
      spdxId = "Apache-2.0";
      free = true;
    };
  };

  fileset = {
    maybeMissing =
      path:
      if !isPath path then
        throw "lib.fileset.maybeMissing: argument is of type ${builtins.typeOf path}, but it should be a path instead"
      else if pathExists path then
        coerce "maybeMissing" path
      else
        {
          _type = "fileset";
          paths = [ ];
        };

    unions =
      list:
      if !isList list then
        throw "lib.fileset.unions: argument is of type ${builtins.typeOf list}, but it should be a list instead"
      else
        {
          _type = "fileset";
          paths = concatMap (x: (coerce "unions" x).paths) list;
        };

    # Copies exactly the file set (and the directories leading to it) to the store,
    # like the real `toSource` does.
    toSource =
      { root, fileset }:
      let
        set = coerce "toSource" fileset;
        rootStr = toString root;
        strs = map toString set.paths;
        outside = filter (p: !(p == rootStr || hasPrefix (rootStr + "/") p)) strs;
        included =
          p: any (f: p == f || hasPrefix (f + "/") p || hasPrefix (p + "/") f) strs;
      in
      if !isPath root then
        throw "lib.fileset.toSource: `root` is of type ${builtins.typeOf root}, but it should be a path instead"
      else if outside != [ ] then
        throw "lib.fileset.toSource: `fileset` contains ${builtins.head outside}, which is not under the `root` (${rootStr})"
      else
        builtins.path {
          name = "source";
          path = root;
          filter = p: _type: included p;
        };
  };

  # Used by the stub's pkgs.nix, not by the flake.
  inherit hasPrefix all genList length;
}
