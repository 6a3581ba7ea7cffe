with builtins;
[
  (match "a" "a") (match "a" "b") (match "a" "ab") (match "a.*" "abc") (match "(a)(b)?" "a") (match "([a-z]+)-([0-9]+)" "foo-123")
  (match "[[:digit:]]+" "123") (match "[[:alpha:]]+" "abC") (match "[[:space:]]*x" " \tx") (match "[[:upper:]][[:lower:]]*" "Hello")
  (match "[[:alnum:]_]+" "a_1") (match "[[:punct:]]+" "!?.") (match "[[:xdigit:]]+" "dEadBeef")
  (match "(.*)\\.nix" "default.nix") (match ".*\\.(tar\\.gz|zip)" "src.tar.gz") (match "a|b" "b") (match "(a|ab)(c|bcd)(d*)" "abcd")
  (match "x{2,3}" "xxx") (match "x{2}" "xxx") (match "[^a-c]+" "xyz") (match "\\[" "[") (match "^a$" "a") (match "" "")
  (match "(x)|(y)" "y") (match ".*" "multi\nline") (match "[]a]+" "a]a") (match "[a-]+" "-a-")
]
