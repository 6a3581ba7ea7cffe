let
  src = { "a-b" = 1; c = { d = 2; }; };
  name = "dyn";
in {
  inherit (src) "a-b";
  inherit (src.c) d;
  "${name}" = 3;
  nested = { inherit name; inner."inherit" = "keyword as attr name"; };
}
