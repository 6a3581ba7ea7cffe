# A GPU training project. By default it installs PyTorch's binary wheels on the current CUDA
# base; the `source` variant builds PyTorch from source on an older CUDA base for a GPU the
# wheels no longer support. A TensorBoard sidecar reads the logs on a private network:
# its port is reachable from the main container as `tensorboard:6006`, not from the host.
{ lib, ... }:
{
  imports = [
    <envc/cuda.nix>
    <envc/python-uv.nix>
    <envc/host-user.nix>
  ];

  name = "gpu-training";
  description = "PyTorch training with a private TensorBoard sidecar";
  base.image = "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04";

  build.pip.packages = [
    "torch==2.4.1"
    "torchvision==0.19.1"
    "tensorboard==2.17.1"
    "numpy==1.26.4"
  ];

  # The training code changes every day; the pip packages and the source build do not. It
  # is placed after them, so that a code edit re-runs no expensive step.
  build.files."/opt/train" = {
    source = "train";
  };

  run = {
    volumes = [
      {
        name = "{project_slug}-runs";
        target = "/runs";
        chown = true;
      }
    ];
    env.TENSORBOARD_LOGDIR = "/runs";
  };

  services.tensorboard = {
    build = {
      base.image = "python:3.11-slim-bookworm";
      build.pip.packages = [ "tensorboard==2.17.1" ];
    };
    command = [
      "tensorboard"
      "--logdir=/runs"
      "--bind_all"
      "--port=6006"
    ];
    volumes = [
      {
        name = "{project_slug}-runs";
        target = "/runs";
        readonly = true;
      }
    ];
    ports = [ { container = 6006; } ];
    healthcheck = {
      test = [
        "python3"
        "-c"
        "import urllib.request; urllib.request.urlopen('http://127.0.0.1:6006')"
      ];
      interval = "15s";
      start_period = "30s";
    };
  };

  variants.source = {
    # Kepler GPUs (sm_35) need CUDA 11 and a PyTorch built for them.
    base.image = lib.mkForce "nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04";
    build.pip.packages = lib.mkForce [
      "numpy==1.26.4"
      "tensorboard==2.17.1"
      "cmake==3.30.2"
      "ninja==1.11.1.1"
    ];
    build.apt = [
      "git"
      "build-essential"
    ];
    build.steps = [
      {
        name = "build pytorch for sm_35";
        run = ''
          git clone --depth 1 --branch v2.0.1 --recursive https://github.com/pytorch/pytorch /tmp/pytorch
          cd /tmp/pytorch
          pip install -r requirements.txt
          python3 setup.py install
          rm -rf /tmp/pytorch
        '';
        env = {
          TORCH_CUDA_ARCH_LIST = "3.5";
          MAX_JOBS = "8";
        };
        caches = [
          {
            id = "pip";
            target = "/root/.cache/pip";
          }
        ];
      }
    ];
    # Files come before the steps unless placed after one: the code goes after the build.
    build.files."/opt/train".after = "build pytorch for sm_35";
  };
}
