# NVIDIA CUDA: an NVIDIA base image (overridable) and GPU run options. Needs the NVIDIA
# container runtime on the host to run; builds and checks anywhere.
{ lib, ... }:
{
  base = lib.mkDefault { image = "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04"; };
  build.env = {
    NVIDIA_DRIVER_CAPABILITIES = "compute,utility";
  };
  run.gpu = lib.mkDefault "all";
  # Data loaders share tensors through /dev/shm; the engine default (64m) is too small.
  run.shm_size = lib.mkDefault "8g";
  run.ulimits = {
    memlock = {
      soft = -1;
      hard = -1;
    };
    stack = {
      soft = 67108864;
      hard = 67108864;
    };
  };
  targets.apptainer.nv = true;
}
