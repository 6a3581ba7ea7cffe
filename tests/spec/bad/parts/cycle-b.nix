{ imports = [ ./cycle-a.nix ]; }
