{ lib, gpu ? false, distro ? "debian-bookworm" }:
let
  common = [ "bash" "coreutils" "curl" "git" "less" "vim" "htop" "tmux" "openssh-client" "ca-certificates" "locales" "tzdata" ];
  build = [ "build-essential" "cmake" "ninja-build" "pkg-config" "libssl-dev" "zlib1g-dev" "libffi-dev" ];
  cuda = [ "cuda-toolkit-12-2" "libcudnn8" "libnccl2" ];
  packages = lib.unique (common ++ build ++ lib.optionals gpu cuda ++ [ "git" "curl" ]);
in {
  system = {
    base = distro;
    inherit packages;
    aptInstall = "apt-get install -y --no-install-recommends " + builtins.concatStringsSep " " packages;
    locale = lib.mkDefault "C.UTF-8";
  };
  env = lib.optionalAttrs gpu { NVIDIA_VISIBLE_DEVICES = "all"; } // { LANG = lib.mkDefault "C.UTF-8"; TZ = "UTC"; };
}
