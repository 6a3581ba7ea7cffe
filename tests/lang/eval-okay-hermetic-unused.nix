# Naming a refused builtin is fine as long as it is never forced: laziness.
let unused = builtins.getEnv "HOME"; t = builtins.currentTime; f = { }: builtins.fetchurl "x"; in
{ ok = true; lazyAttr = (({ a = builtins.currentSystem; b = 1; }).b); }
