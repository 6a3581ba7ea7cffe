# CMake with the Ninja generator, and ccache with a persistent per-project cache on the
# host, so that rebuilds after `envc up` start warm.
{ lib, ... }:
{
  build.apt = [
    "cmake"
    "ninja-build"
    "ccache"
  ];
  build.env = {
    CMAKE_GENERATOR = "Ninja";
    CMAKE_C_COMPILER_LAUNCHER = "ccache";
    CMAKE_CXX_COMPILER_LAUNCHER = "ccache";
  };
  run.env.CCACHE_DIR = "/var/cache/ccache";
  run.caches = [
    {
      host = "{home}/.cache/envc/{project_slug}/ccache";
      target = "/var/cache/ccache";
    }
  ];
}
