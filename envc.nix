# envc's own development environment: a Debian bookworm base made with debootstrap (no
# registry needed), the Rust toolchain from Debian, and the tools the test suite uses.
# `envc up` at the repository root enters it as yourself with the checkout at /repo.
{ lib, ... }:
{
  imports = [
    <envc/build-essential.nix>
    <envc/host-user.nix>
  ];

  name = "envc-dev";
  description = "Rust development environment for envc itself";
  base.debootstrap = {
    suite = "bookworm";
    variant = "minbase";
  };

  build.apt = [
    "cargo"
    "rustc"
    "rustfmt"
    "rust-clippy"
    "nix-bin"
    "python3-venv"
    "squashfs-tools"
    "debootstrap"
  ];

  run = {
    project.target = "/repo";
    env = {
      CARGO_HOME = "/home/{user}/.cargo";
      CARGO_TARGET_DIR = "/repo/target";
    };
    # The crates.io index and downloaded crates persist per project on the host.
    caches = [
      {
        host = "{home}/.cache/envc/{project_slug}/cargo-registry";
        target = "/home/{user}/.cargo/registry";
      }
    ];
  };
}
