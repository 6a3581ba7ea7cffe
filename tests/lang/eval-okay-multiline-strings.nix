[ "line1
line2
  indented stays" "a\
b" ]
