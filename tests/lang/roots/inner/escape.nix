{
  v = import ../outside.nix;
}
