{
  name = "demo";
  base.image = "debian:bookworm";
  services.db = { image = "postgres:16"; healthcheck = { test = [ "true" ]; interval = "10 seconds"; }; };
}
