{ lib, team }:
let
  mkUser = i: name: {
    inherit name;
    uid = 1000 + i;
    home = "/home/${name}";
    shell = if lib.hasPrefix "a" name then "/bin/zsh" else "/bin/bash";
    groups = [ "users" ] ++ lib.optionals (i < 3) [ "sudo" "docker" ];
  };
  users = builtins.genList (i: mkUser i (builtins.elemAt team i)) (builtins.length team);
in {
  users = builtins.listToAttrs (map (u: lib.nameValuePair u.name u) users);
  run.mounts = map (u: { source = u.home; target = u.home; readOnly = lib.mkDefault false; }) users;
  run.banner = lib.concatMapStringsSep ", " (u: "${u.name}(${toString u.uid})") users;
}
