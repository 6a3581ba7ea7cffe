# Describes one output of envc's flake as plain JSON data, for tests/it/flake.rs:
#   nix eval --json --override-input nixpkgs path:<stub> <copy>#<output> --apply "$(cat shape.nix)"
# Derivations become their name, paths and inputs (forcing `drvPath` instantiates them,
# which checks every attribute); a derivation's `src` is listed file by file.
let
  inherit (builtins)
    attrNames
    concatMap
    isAttrs
    isFunction
    mapAttrs
    readDir
    ;

  listFiles =
    dir: prefix:
    let
      entries = readDir dir;
    in
    concatMap (
      name:
      let
        rel = prefix + name;
      in
      if entries.${name} == "directory" then listFiles "${dir}/${name}" "${rel}/" else [ rel ]
    ) (attrNames entries);

  summarize =
    v:
    if isAttrs v && (v.type or null) == "derivation" then
      {
        kind = "derivation";
        inherit (v) name drvPath;
        out = v.outPath;
        mainProgram = v.meta.mainProgram or null;
        platforms = v.meta.platforms or null;
        inputs = map (d: d.name) ((v.nativeBuildInputs or [ ]) ++ (v.buildInputs or [ ]));
        env = {
          preCheck = v.preCheck or null;
          postInstall = v.postInstall or null;
          buildPhase = v.buildPhase or null;
          buildCommand = v.buildCommand or null;
          doCheck = v.doCheck or null;
          RUST_SRC_PATH = v.RUST_SRC_PATH or null;
        };
        src = if v ? src then "${v.src}" else null;
        srcFiles = if v ? src then listFiles v.src "" else null;
        cargoLockMatchesSource = v.cargoLockMatchesSource or null;
      }
    else if isFunction v then
      {
        kind = "function";
        args = builtins.functionArgs v;
      }
    else if isAttrs v then
      mapAttrs (_: summarize) v
    else
      v;
in
summarize
