{
  name = "demo";
  base.image = "debian:bookworm";
  build.files."/etc/stolen".source = "parts/hostetc/passwd";
}
