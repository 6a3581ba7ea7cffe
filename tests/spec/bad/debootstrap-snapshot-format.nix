{
  name = "demo";
  base.debootstrap = { suite = "bookworm"; snapshot = "2024-06-01"; };
}
