[ (baseNameOf "/a/b/c.nix") (baseNameOf "/a/b/") (baseNameOf "c") (baseNameOf "") (baseNameOf ./imports/value.nix)
  (dirOf "/a/b/c") (dirOf "/a") (dirOf "a/b") (dirOf "a") (dirOf "/") (dirOf "/a/b/") (builtins.baseNameOf "x/y")
  (builtins.isPath (dirOf ./imports/value.nix)) (baseNameOf (dirOf ./imports/value.nix)) ]
