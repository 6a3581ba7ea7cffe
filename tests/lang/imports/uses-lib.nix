let lib = import ./lib.nix; in lib.concatWords [ "a" "b" (lib.twice "c") ]
