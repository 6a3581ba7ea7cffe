let x = "outer"; in rec {
  y = x;
  inner = { y = x; };
  z = let x = "let"; in x;
}
