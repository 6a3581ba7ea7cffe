with builtins;
[ (map (x: x) [ ]) (concatMap (x: [ x ]) [ ]) (filter (x: true) [ ]) (attrNames { }) (attrValues { }) (listToAttrs [ ])
  (concatStringsSep "," [ ]) (foldl' (a: b: a + b) 0 [ ]) (genList (x: x) 0) (sort lessThan [ ]) ({ } // { }) ([ ] ++ [ ])
  (mapAttrs (n: v: v) { }) (groupBy (x: x) [ ]) (partition (x: true) [ ]) (zipAttrsWith (n: v: v) [ ]) "" { } [ ] ]
