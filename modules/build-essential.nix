# C and C++ toolchain from Debian: compilers, make, pkg-config, and the tools a build
# usually fetches sources with.
{ lib, ... }:
{
  build.apt = [
    "build-essential"
    "pkg-config"
    "git"
    "ca-certificates"
    "curl"
    "xz-utils"
  ];
}
