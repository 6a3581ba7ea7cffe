{
  name = "demo";
  base.image = "debian:bookworm";
  run.volumes = [ { name = "{home}-v"; target = "/v"; } ];
}
