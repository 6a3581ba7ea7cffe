(import ./imports/has-error.nix).value
