{ arg = "arg"; inner = "with2-b"; lexical = "let-bound"; outer = "with1-c"; recs = { y = "rec"; z = "rec"; }; }
