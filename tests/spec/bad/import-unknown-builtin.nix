{
  imports = [ <envc/pyhton-uv> ];
  name = "demo";
  base.debootstrap.suite = "bookworm";
}
