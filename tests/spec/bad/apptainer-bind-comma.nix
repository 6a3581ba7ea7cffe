{
  name = "demo";
  base.image = "debian:bookworm";
  targets.apptainer.binds = [ "/a,/b" ];
}
