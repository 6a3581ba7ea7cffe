with builtins;
let s = { b = 2; a = 1; c = { d = 3; }; }; in
{
  attrNames = attrNames s;
  attrValues = attrValues { z = 1; a = 2; m = 3; };
  getAttr = getAttr "b" s;
  hasAttr = [ (hasAttr "a" s) (hasAttr "d" s) ];
  removeAttrs = removeAttrs s [ "a" "missing" ];
  intersectAttrs = intersectAttrs { a = 0; c = 0; x = 0; } s;
  catAttrs = catAttrs "a" [ { a = 1; } { b = 2; } { a = 3; } ];
  listToAttrs = listToAttrs [ { name = "x"; value = 1; } { name = "y"; value = 2; } { name = "x"; value = 3; } ];
  mapAttrs = mapAttrs (name: value: name + toString value) { p = 1; q = 2; };
  emptyNames = attrNames { };
  lazyMapAttrs = (mapAttrs (n: v: throw "lazy") { a = 1; }) ? a;
}
