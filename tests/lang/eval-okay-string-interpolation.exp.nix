[ "n=42" "strstr" "nested inner str more end" "c" "a" "y" "xy" "let" ]
