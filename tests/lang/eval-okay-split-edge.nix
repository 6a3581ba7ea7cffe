with builtins;
[ (split "" "ab") (split "b*" "abc") (split "(b)?" "ab") (split "x" "") (split "." "ab") (split "(a)(b)(c)?" "abab") ]
