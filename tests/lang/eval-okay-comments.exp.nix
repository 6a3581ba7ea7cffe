{ a = 1; b = 2; c = "# not a comment"; d = "/* not a comment */"; e = "# kept in indented strings\n"; }
