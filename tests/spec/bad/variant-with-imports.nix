{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  variants.gpu.imports = [ <envc/cuda.nix> ];
}
