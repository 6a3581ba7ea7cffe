let {
  x = "hello";
  y = x + " world";
  body = { inherit x y; };
}
