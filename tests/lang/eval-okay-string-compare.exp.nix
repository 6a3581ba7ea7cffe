[ true true true true true true [ "E" "e" "f" "é" ] true ]
