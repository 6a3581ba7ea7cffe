{
  name = "demo";
  base.image = "debian:bookworm\nRUN id";
}
