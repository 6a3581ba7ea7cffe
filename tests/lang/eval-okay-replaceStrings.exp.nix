[ "bbnbnb" "bANANA" "bAnAnA" "-a-b-c-" "-" "_aB_c_" "unchanged" "" "aaa" "a_b-c_d" "f00" ]
