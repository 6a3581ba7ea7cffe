[ "tab\there" "nl\nx" "cr\rx" "quote\"q" "backslash\\b" "dollar\${x}" "$" "a$b" "$${x}" "\$" "\a\b\z" "unicode é ☃" "\u" "$$" "''" ]
