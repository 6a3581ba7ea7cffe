with builtins;
let xs = [ "apple" "avocado" "banana" "blueberry" "cherry" "apricot" ]; in
{ byLetter = groupBy (substring 0 1) xs; long = partition (s: stringLength s > 6) xs; counts = mapAttrs (n: v: length v) (groupBy (substring 0 1) xs); }
