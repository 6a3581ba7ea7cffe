# A build-system container for a large C++ code base: the toolchain from built-in modules,
# the host's CI variables passed through, a compiler cache on a named volume owned by the
# build user, raised file limits, a named network shared with a artifact cache, and
# post-start commands that prepare the volume.
{ lib, ... }:
{
  imports = [
    <envc/build-essential.nix>
    <envc/cmake-ninja.nix>
  ];

  name = "build-system";
  description = "C++ build container with ccache, CI pass-through and raised limits";
  base.image = "debian:bookworm-20240612";

  build.apt = [
    "libssl-dev"
    "zlib1g-dev"
    "python3"
  ];
  build.files."/etc/profile.d/build.sh" = {
    text = ''
      export MAKEFLAGS="-j$(nproc)"
    '';
    mode = "0755";
  };
  build.workdir = "/src";

  run = {
    user = {
      mode = "fixed";
      uid = 1000;
      gid = 1000;
      name = "builder";
      shell = "/bin/bash";
    };
    project.target = "/src";
    # CI systems set these; the build reads them when present.
    pass_env = [
      "CI"
      "BUILD_NUMBER"
      "GIT_COMMIT"
      "BRANCH_NAME"
    ];
    env.BUILD_DIR = "/build";
    volumes = [
      {
        name = "{project_slug}-build";
        target = "/build";
        chown = true;
      }
    ];
    ulimits = {
      nofile = {
        soft = 65536;
        hard = 65536;
      };
      core = {
        soft = 0;
        hard = -1;
      };
    };
    network = {
      name = "build-net";
      create = true;
    };
    post_start = [
      "mkdir -p /build/ccache && chown {uid}:{gid} /build/ccache"
      "echo 'build container for {project} ready' > /etc/motd"
    ];
  };

  # The cmake-ninja module keeps ccache on the host; here it lives on the build volume.
  run.env.CCACHE_DIR = lib.mkForce "/build/ccache";
  run.caches = lib.mkForce [ ];
}
