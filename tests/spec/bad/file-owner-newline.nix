{
  name = "demo";
  base.image = "debian:bookworm";
  build.files."/x" = { text = "x"; owner = "root:root\nRUN id"; };
}
