[ "tab\there" "nl\nx" "cr\rx" "quote\"q" "backslash\\b" "dollar\${x}" "$" "a$b" "$\${x}" "$" "abz" "unicode é ☃" "u" "$$" "''" ]
