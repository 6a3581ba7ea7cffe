builtins.deepSeq { a = [ (throw "deep element") ]; } 1
