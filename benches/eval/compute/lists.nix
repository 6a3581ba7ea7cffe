let xs = builtins.genList (i: i * 3) 100000; in
{
  sum = builtins.foldl' (a: b: a + b) 0 xs;
  evens = builtins.length (builtins.filter (x: builtins.bitAnd x 1 == 0) xs);
  mapped = builtins.foldl' (a: b: a + b) 0 (map (x: x / 3) xs);
}
