{
  name = "demo";
  base.image = "debian:bookworm";
  services."db.x".image = "postgres:16";
}
