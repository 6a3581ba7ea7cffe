{
  name = "demo";
  base.image = "debian:bookworm";
  build.files."/x".text = builtins.readFile ./parts/hostetc/hostname;
}
