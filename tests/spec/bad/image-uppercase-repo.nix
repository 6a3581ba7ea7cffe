{
  name = "demo";
  base.image = "library/Debian:12";
}
