{ concatStringsSep = [ "a, b, c" "" "xy" "one" ]; stringLength = [ 0 3 2 4 ]; substring = [ "hel" "ello" "" "" "" "hello" "é" ]; }
