{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  services.db = {
    image = "postgres:16";
    build.base.image = "debian:bookworm";
  };
}
