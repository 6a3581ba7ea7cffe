let drvLike = { outPath = "/some/out"; }; strLike = { __toString = s: "via __toString"; }; in
[ "${drvLike}" "${strLike}" (toString strLike) ("x" + toString 5) "${"s"}" (builtins.concatStringsSep "/" [ "a" (toString 1) (toString true) ]) (toString [ "a" [ "b" ] ]) ]
