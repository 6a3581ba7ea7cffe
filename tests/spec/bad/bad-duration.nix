{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  services.web = {
    image = "nginx:1.27";
    healthcheck = {
      test = [ "curl" "-f" "http://localhost" ];
      interval = "10";
    };
  };
}
