{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  services.db.command = [ "postgres" ];
}
