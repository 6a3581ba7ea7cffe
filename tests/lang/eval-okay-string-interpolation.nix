let n = 42; s = "str"; l = [ "a" ]; a = { b = "c"; }; in
[ "n=${toString n}" "${s}${s}" "nested ${"inner ${s} more"} end" "${a.b}" "${builtins.head l}" "${ if true then "y" else "n" }" "x${""}y" "${let v = "let"; in v}" ]
