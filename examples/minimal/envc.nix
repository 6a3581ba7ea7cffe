# The smallest useful environment, and one that works on a machine with no container
# registry: the base is made with debootstrap from Debian's mirror.
{
  name = "minimal";
  description = "Debian bookworm with a shell and git, built without a registry";
  base.debootstrap = {
    suite = "bookworm";
    variant = "minbase";
  };
  build.apt = [
    "bash"
    "ca-certificates"
    "git"
  ];
  run.user.shell = "/bin/bash";
}
