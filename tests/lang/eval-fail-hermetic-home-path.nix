import ~/x.nix
