{
  name = "demo";
  base.debootstrap.suite = "bookworm";
  build.steps = [
    { run = "useradd -u {uid} dev"; }
  ];
}
