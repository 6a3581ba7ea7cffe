{
  name = "demo";
  base = {
    image = "debian:bookworm";
    debootstrap.suite = "bookworm";
  };
}
