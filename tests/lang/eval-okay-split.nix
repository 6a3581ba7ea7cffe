with builtins;
[
  (split "," "a,b,c") (split "(,)" "a,b") (split "x" "abc") (split "" "") (split "[[:space:]]+" "a  b\tc")
  (split "(a)|(b)" "xaybz") (split "," ",leading,") (split "([0-9]+)" "abc123def45") (split "a*" "baaac")
]
