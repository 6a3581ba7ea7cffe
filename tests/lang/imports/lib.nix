{
  concatWords = builtins.concatStringsSep " ";
  twice = s: s + s;
}
