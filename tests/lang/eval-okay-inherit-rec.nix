let x = "from let"; in rec {
  inherit x;
  y = x + "!";
  set = { z = 1; };
  inherit (set) z;
}
