[ "ab" "" "x3" "a1" "abc" ]
