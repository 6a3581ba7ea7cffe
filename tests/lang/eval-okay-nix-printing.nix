# How values print: quoting of names, escapes in strings, nesting, empty collections.
{
  "a b" = 1;
  "1x" = 2;
  x1 = 3;
  "a-b" = 4;
  "a'b" = 5;
  "" = 6;
  "${"dollar"}" = "\${not interpolated} $ $$";
  esc = "quote \" backslash \\ newline \n tab \t cr \r";
  nested = { list = [ [ ] { } [ { } ] ]; null = null; bools = [ true false ]; };
  floats = [ 1.0 (-2.5) 1.0e-3 ];
  ints = [ 0 (-1) 1000000 ];
  "true" = true;
  "null" = null;
}
