let
  a = "let-bound";
  s1 = { a = "with1"; b = "with1-b"; c = "with1-c"; };
  s2 = { b = "with2-b"; };
in {
  # A lexical binding always wins over `with`.
  lexical = with s1; a;
  # The innermost `with` wins over outer ones.
  inner = with s1; with s2; b;
  outer = with s1; with s2; c;
  # Function arguments are lexical too.
  arg = (x: with { x = "with"; }; x) "arg";
  # rec attrs are lexical.
  recs = with { y = "with"; }; rec { y = "rec"; z = y; };
}
