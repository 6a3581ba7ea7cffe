# envc: only root=..
builtins.pathExists ./../../outside.nix
