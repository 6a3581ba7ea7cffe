rec {
  a = 1;
  b = a + c;
  c = 2;
  nested = { x = b; };
  self = nested.x * 10;
}
