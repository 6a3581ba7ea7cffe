with builtins;
{
  concatStringsSep = [ (concatStringsSep ", " [ "a" "b" "c" ]) (concatStringsSep "-" [ ]) (concatStringsSep "" [ "x" "y" ]) (concatStringsSep "/" [ "one" ]) ];
  stringLength = [ (stringLength "") (stringLength "abc") (stringLength "é") (stringLength "☃x") ];
  substring = [ (substring 0 3 "hello") (substring 1 100 "hello") (substring 5 1 "hello") (substring 10 1 "hello") (substring 2 0 "hello") (substring 0 (-1) "hello") (substring 0 2 "é!") ];
}
