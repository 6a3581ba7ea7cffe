[ "line1\nline2\n  indented stays" "a\nb" ]
