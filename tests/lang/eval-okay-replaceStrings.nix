with builtins;
[
  (replaceStrings [ "a" ] [ "b" ] "banana")
  (replaceStrings [ "an" "a" ] [ "AN" "A" ] "banana")
  (replaceStrings [ "a" "an" ] [ "A" "AN" ] "banana")
  (replaceStrings [ "" ] [ "-" ] "abc")
  (replaceStrings [ "" ] [ "-" ] "")
  (replaceStrings [ "b" "" ] [ "B" "_" ] "abc")
  (replaceStrings [ ] [ ] "unchanged")
  (replaceStrings [ "x" ] [ "y" ] "")
  (replaceStrings [ "aa" ] [ "a" ] "aaaaa")
  (replaceStrings [ "." "/" ] [ "_" "-" ] "a.b/c.d")
  (replaceStrings [ "${"o"}" ] [ "0" ] "foo")
]
