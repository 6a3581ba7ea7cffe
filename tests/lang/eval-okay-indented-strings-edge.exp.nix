[ "leading spaces on first line" " x\ny\n" "  deep\nshallow" "x'y" "''" "a''b" "''' " "    mixed\n    z" "interp sets no indentation\n  but literal text does\n" "  a\n\tb\n" "" "" ]
