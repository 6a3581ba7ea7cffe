{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  services.db = {
    image = "postgres:16";
    enviroment.POSTGRES_PASSWORD = "x";
  };
}
