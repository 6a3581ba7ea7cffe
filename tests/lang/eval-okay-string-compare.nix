with builtins;
[ ("a" == "a") ("a" != "b") ("abc" < "abd") ("Z" < "a") ("" == "") ("é" > "z") (sort lessThan [ "é" "e" "f" "E" ]) ("10" < "9") ]
