{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  run.ports = [ { container = 8888; } ];
  services.board = {
    image = "python:3.11-slim";
    ports = [ { container = 6006; publish = 8888; } ];
  };
}
