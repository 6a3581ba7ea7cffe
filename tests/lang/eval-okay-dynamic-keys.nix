let
  k = "key";
  n = 3;
in {
  ${k} = 1;
  "${k}2" = 2;
  "pre-${toString n}-post" = 3;
  a.${k}.b = 4;
  a.other = 5;
  ${if false then "x" else "y"} = 6;
  ${null} = "null keys are skipped";
}
