{
  name = "demo";
  base.image = "debian:bookworm";
  services.db = { image = "postgres:16"; ports = [ { container = 5432; publish = 5432; address = "all"; } ]; };
}
