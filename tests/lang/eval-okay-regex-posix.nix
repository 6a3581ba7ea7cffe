with builtins;
[
  (match "[[:blank:]]+" " \t ") (match "[[:cntrl:]]" "\n") (match "[[:graph:]]+" "a!b") (match "[[:print:]]+" "a b")
  (match "[[:alpha:][:digit:]]+" "a1b2") (match "[^[:space:]]+" "nospace") (match "[[:lower:]]+" "ABC")
  (split "(a|ab)" "xabcx") (match "(a|ab)(c|bcd)" "abcd") (match "(a*)(a*)" "aaa") (match "(a+|b+)*" "aabba")
  (match "([0-9]+)\\.([0-9]+)\\.([0-9]+)" "1.22.333") (match "v?([0-9.]+)(-rc[0-9]+)?" "v1.2-rc3")
  (split "[,;] *" "a, b;c") (match ".*[.]nix" "x.nix") (match "[a-z]+@[a-z]+[.]com" "me@example.com")
  (match "(.*)/(.*)" "a/b/c") (match "[$][{].*[}]" "\${x}") (split "/" "/usr/local/bin") (match "a{0}b" "b")
]
