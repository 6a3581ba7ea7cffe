# envc: root=roots/inner
(import ./roots/inner/main.nix).inside
