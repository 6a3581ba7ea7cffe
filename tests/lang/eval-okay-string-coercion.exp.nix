[ "/some/out" "via __toString" "via __toString" "x5" "s" "a/1/1" "a b" ]
