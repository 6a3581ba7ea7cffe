# A stub of nixpkgs with just enough of its interface for envc's flake.nix to evaluate
# unchanged, offline (tests/it/flake.rs passes it with `--override-input nixpkgs path:...`).
#
# It checks what the real functions would check at evaluation time (required arguments,
# paths that must exist, meta.platforms, derivation attributes that must be strings) and
# makes real (unbuildable) derivations, so `drvPath` forces every attribute like Nix would.
# It cannot tell whether a package name exists in real nixpkgs.
{
  description = "stub nixpkgs for envc's flake tests";

  outputs =
    { self }:
    let
      lib = import ./lib.nix;
    in
    {
      inherit lib;
      legacyPackages = lib.genAttrs lib.systems.stubbed (
        system: import ./pkgs.nix { inherit lib system; }
      );
    };
}
