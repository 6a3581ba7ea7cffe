with builtins;
{
  ints = sort lessThan [ 5 3 9 1 3 0 (-2) ];
  strings = sort lessThan [ "b" "a" "B" "ab" "" ];
  desc = sort (a: b: a > b) [ 1 3 2 ];
  # Sort is stable: equal keys keep their input order.
  stable = sort (a: b: a.k < b.k) [ { k = 2; v = "a"; } { k = 1; v = "b"; } { k = 2; v = "c"; } { k = 1; v = "d"; } { k = 0; v = "e"; } { k = 2; v = "f"; } ];
  stableLong = map (x: x.v) (sort (a: b: a.k < b.k) (genList (i: { k = i / 10; v = i; }) 40));
  empty = sort lessThan [ ];
  lists = sort lessThan [ [ 2 ] [ 1 2 ] [ 1 ] ];
}
