{
  name = "demo";
  base.archive = { path = "parts/hostetc/hostname"; sha256 = "0000000000000000000000000000000000000000000000000000000000000000"; };
}
