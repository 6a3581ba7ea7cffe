let
  f = { a, b ? 2, c ? a + b }: [ a b c ];
  g = { x, ... }: x;
  h = args@{ p, q ? "dq", ... }: [ p q (builtins.attrNames args) ];
  k = { p, ... }@args: args;
  d = { a ? b, b ? 1 }: a + b;
in {
  f1 = f { a = 1; };
  f2 = f { a = 1; b = 10; };
  f3 = f { a = 1; b = 10; c = 0; };
  g1 = g { x = 1; y = 2; };
  h1 = h { p = 1; extra = 2; };
  k1 = k { p = 1; z = 3; };
  d1 = d { };
  empty = ({ }: "ok") { };
}
