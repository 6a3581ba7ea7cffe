[ (builtins.pathExists ./imports/value.nix) (builtins.pathExists ./imports/nope.nix) (builtins.pathExists ./imports)
  (builtins.readFile ./imports/sub/text.txt) (builtins.pathExists (./. + "/imports/sub/text.txt"))
  (builtins.stringLength (builtins.readFile ./imports/lib.nix)) (builtins.pathExists ./imports/sub/../value.nix) ]
