# The pieces of nixpkgs' package set that envc's flake uses, for one `system`.
# Derivations are real but unbuildable: their builder only reports that this is a stub.
{ lib, system }:
let
  inherit (builtins)
    elem
    isFunction
    removeAttrs
    concatMap
    ;

  platform = {
    inherit system;
    isLinux = builtins.match ".*-linux" system != null;
    isDarwin = builtins.match ".*-darwin" system != null;
    # The stub never cross-compiles: build and host platform are the same.
    canExecute = other: other.system == system;
  };

  # Like stdenv.mkDerivation: meta.platforms is checked, `meta` and `passthru` stay out
  # of the derivation, every other attribute must be coercible to a string.
  mkDerivation =
    args:
    let
      meta = args.meta or { };
      passthru = args.passthru or { };
      name =
        args.name or (
          if args ? pname && args ? version then
            "${args.pname}-${args.version}"
          else
            throw "mkDerivation: either `name` or both `pname` and `version` are required"
        );
      drv = derivation (
        removeAttrs args [
          "meta"
          "passthru"
        ]
        // {
          inherit name system;
          builder = "/bin/sh";
          args = [
            "-c"
            "echo 'the stub nixpkgs of envc tests cannot build anything' >&2; exit 1"
          ];
        }
      );
    in
    if meta ? platforms && !(elem system meta.platforms) then
      throw "Package ‘${name}’ is not available on the requested hostPlatform ${system}"
    else
      drv
      // passthru
      // {
        inherit meta passthru;
        overrideAttrs =
          f:
          let
            changes = f args;
          in
          if isFunction changes then
            throw "stub overrideAttrs: only the `old: { ... }` form is supported"
          else
            mkDerivation (args // changes);
      };

  tool =
    pname: extra:
    mkDerivation (
      {
        inherit pname;
        version = "stub";
        meta.mainProgram = pname;
      }
      // extra
    );

  linuxOnly = {
    meta.platforms = [
      "x86_64-linux"
      "aarch64-linux"
    ];
  };

  cargo = tool "cargo" { };
  rustc = tool "rustc" { };
  cargoSetupHook = tool "cargo-setup-hook" { };
in
{
  inherit lib;
  stdenv = {
    hostPlatform = platform;
    buildPlatform = platform;
    inherit mkDerivation;
  };

  inherit cargo rustc;
  clippy = tool "clippy" { };
  rustfmt = tool "rustfmt" { };
  rust-analyzer = tool "rust-analyzer" { };
  nix = tool "nix" { };
  python3 = tool "python3" { };
  git = tool "git" { };
  docker-client = tool "docker" { };
  hadolint = tool "hadolint" { };
  check-jsonschema = tool "check-jsonschema" { };
  squashfsTools = tool "squashfs" { };
  hyperfine = tool "hyperfine" { };
  nixfmt = tool "nixfmt" { };
  apptainer = tool "apptainer" linuxOnly;
  installShellFiles = tool "install-shell-files" { };

  runCommand =
    name: env: buildCommand:
    mkDerivation (env // { inherit name buildCommand; });

  # Like the real mkShell: `packages` and the inputs of `inputsFrom` become the shell's inputs.
  mkShell =
    {
      name ? "nix-shell",
      packages ? [ ],
      inputsFrom ? [ ],
      ...
    }@args:
    let
      from = attr: concatMap (d: d.${attr} or [ ]) inputsFrom;
    in
    mkDerivation (
      removeAttrs args [
        "packages"
        "inputsFrom"
      ]
      // {
        inherit name;
        nativeBuildInputs = packages ++ from "nativeBuildInputs" ++ (args.nativeBuildInputs or [ ]);
        buildInputs = from "buildInputs" ++ (args.buildInputs or [ ]);
      }
    );

  rustPlatform = {
    rustLibSrc = tool "rust-lib-src" { };

    # The real one vendors the crates listed in `cargoLock.lockFile` and checks at build
    # time that the source's Cargo.lock is the same file. The stub exposes that comparison
    # as `passthru.cargoLockMatchesSource` instead of forcing it: reading `src` needs it
    # in the store, which `nix flake check --no-build` (read-only) does not do.
    buildRustPackage =
      argsOrFun:
      let
        args = if isFunction argsOrFun then argsOrFun args else argsOrFun;
        lockFile =
          args.cargoLock.lockFile
            or (throw "buildRustPackage: `cargoLock.lockFile` (or `cargoHash`) is required");
        lock = builtins.fromTOML (builtins.readFile lockFile);
        srcLock = "${args.src}/Cargo.lock";
      in
      if !(args ? src) then
        throw "buildRustPackage: `src` is required"
      else if !(lock ? package) then
        throw "buildRustPackage: ${toString lockFile} is not a Cargo.lock"
      else
        mkDerivation (
          removeAttrs args [ "cargoLock" ]
          // {
            nativeBuildInputs = (args.nativeBuildInputs or [ ]) ++ [
              cargo
              rustc
              cargoSetupHook
            ];
            doCheck = args.doCheck or true;
            passthru = (args.passthru or { }) // {
              cargoLockMatchesSource =
                builtins.pathExists srcLock && builtins.readFile srcLock == builtins.readFile lockFile;
            };
          }
        );
  };
}
