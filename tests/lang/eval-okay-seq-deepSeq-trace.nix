with builtins;
[ (seq 1 2) (seq { a = throw "seq is shallow"; } "ok") (deepSeq [ 1 { a = 2; } ] "deep ok") (trace "trace message" "traced")
  (trace { a = 1; } 5) (seq (x: x) 1) (deepSeq (x: throw "functions are not entered") 3) ]
