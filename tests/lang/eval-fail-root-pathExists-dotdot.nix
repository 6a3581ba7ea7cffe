# envc: only root=roots/inner
builtins.pathExists ./roots/inner/../outside.nix
