import ../outside.nix
