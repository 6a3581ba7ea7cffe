# Work as yourself: the host user's uid/gid applied at start, a login shell, and
# passwordless sudo for installing a package ad hoc.
{ lib, ... }:
{
  build.apt = [
    "bash"
    "bash-completion"
    "less"
  ];
  build.sudo = true;
  run.user = {
    mode = lib.mkDefault "host";
    shell = lib.mkDefault "/bin/bash";
  };
  run.pass_env = [
    "TERM"
    "COLORTERM"
    "LANG"
  ];
}
