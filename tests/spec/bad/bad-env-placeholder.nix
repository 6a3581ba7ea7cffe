{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  run.post_start = [ "echo {env:1BAD}" ];
}
