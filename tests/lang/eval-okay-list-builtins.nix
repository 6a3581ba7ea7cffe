with builtins;
let xs = [ 3 1 2 ]; in
{
  length = [ (length xs) (length [ ]) ];
  head = head xs;
  tail = [ (tail xs) (tail [ 1 ]) ];
  elemAt = [ (elemAt xs 0) (elemAt xs 2) ];
  elem = [ (elem 2 xs) (elem 5 xs) (elem [ 1 ] [ [ 1 ] ]) (elem 1.0 [ 1 ]) ];
  filter = filter (x: x > 1) xs;
  map = map (x: x * x) xs;
  concatLists = concatLists [ [ 1 ] [ ] [ 2 3 ] ];
  concatMap = concatMap (x: [ x x ]) xs;
  genList = genList (i: i * i) 5;
  genListEmpty = genList (i: i) 0;
  all = [ (all (x: x > 0) xs) (all (x: x > 1) xs) (all (x: false) [ ]) ];
  any = [ (any (x: x > 2) xs) (any (x: x > 5) xs) (any (x: true) [ ]) ];
  partition = partition (x: x > 1) xs;
  groupBy = groupBy (x: if x > 1 then "big" else "small") xs;
  foldl = foldl' (acc: x: acc ++ [ x ]) [ 0 ] xs;
  foldlSum = foldl' builtins.add 0 (genList (i: i) 101);
  lazyMap = length (map (x: throw "lazy") [ 1 2 ]);
}
