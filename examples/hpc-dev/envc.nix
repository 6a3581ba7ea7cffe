# An HPC developer's container: runs as the host user, keeps package caches per project on
# the host, uses the GPUs when the node has them, and builds an Apptainer image for the
# cluster with the scratch and project file systems bound.
{ lib, ... }:
{
  imports = [
    <envc/build-essential.nix>
    <envc/host-user.nix>
    <envc/python-uv.nix>
  ];

  name = "hpc-dev";
  description = "MPI development with per-project caches, GPU when available, and a SIF for the cluster";
  base.debootstrap = {
    suite = "bookworm";
    include = [ "ca-certificates" ];
  };

  build.apt = [
    "openmpi-bin"
    "libopenmpi-dev"
    "gfortran"
    "libhdf5-openmpi-dev"
    # mpi4py builds against the distribution's MPI: it needs Python's headers.
    "python3-dev"
  ];
  build.pip.packages = [
    "mpi4py==4.0.1"
    "h5py==3.12.1"
  ];

  run = {
    gpu = "auto";
    caches = [
      {
        host = "{home}/.cache/envc/{project_slug}/pip";
        target = "/home/{user}/.cache/pip";
      }
      {
        host = "{home}/.cache/envc/{project_slug}/uv";
        target = "/home/{user}/.cache/uv";
      }
    ];
    mounts = [
      {
        source = "/scratch/{user}";
        target = "/scratch";
      }
    ];
    env = {
      OMPI_MCA_btl_vader_single_copy_mechanism = "none";
      SCRATCH = "/scratch";
    };
    pass_env = [
      "SLURM_JOB_ID"
      "SLURM_NTASKS"
    ];
    shm_size = "4g";
    cap_add = [ "SYS_PTRACE" ];
  };

  targets.apptainer = {
    enable = true;
    containall = true;
    cleanenv = true;
    binds = [
      "/scratch/{user}:/scratch"
      "{project}:/repo"
    ];
    writable_tmpfs = true;
  };
}
