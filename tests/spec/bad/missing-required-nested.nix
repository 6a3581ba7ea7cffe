{
  name = "demo";
  base.debootstrap = {
    variant = "minbase";
  };
}
