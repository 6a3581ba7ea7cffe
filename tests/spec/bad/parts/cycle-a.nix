{ imports = [ ./cycle-b.nix ]; }
