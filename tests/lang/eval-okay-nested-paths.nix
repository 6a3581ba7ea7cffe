{
  a.b.c = 1;
  a.b.d = 2;
  a.e = { f = 3; };
  a.e.g = 4;
  x = { y = 1; };
  "quoted key".z = true;
  "with.dot" = 5;
}
