let n = 3; in [ ("a" + "b") ("" + "") ("x" + toString n) ("${"a"}" + "${toString 1}") ("a" + "b" + "c") ]
