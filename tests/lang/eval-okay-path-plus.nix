# Path arithmetic, made relative so the expected output does not depend on the checkout.
let
  base = toString ./.;
  rel = p: builtins.substring (builtins.stringLength base) 1000 (toString p);
in [ (rel (./. + "/sub/file.nix")) (rel (./dir + "/x")) (rel ./a/b/../c) (rel ./a/./b) (rel (./a + "b")) (builtins.isPath (./. + "/x")) ]
