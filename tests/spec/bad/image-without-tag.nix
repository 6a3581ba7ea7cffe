{
  name = "demo";
  base.image = "debian";
}
