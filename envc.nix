# envc's own development environment: a Debian trixie base made with debootstrap (no
# registry needed), Rust from trixie-backports (trixie's own rustc, 1.85, is older than the
# MSRV in Cargo.toml; `envc.lock` pins the exact versions), and the tools the tests use.
# `envc up` at the repository root enters it as yourself with the checkout at /repo;
# `envc run -- cargo build` and `envc run -- scripts/test-inside` work in it.
{ lib, ... }:
{
  imports = [
    <envc/build-essential.nix>
    <envc/host-user.nix>
  ];

  name = "envc-dev";
  description = "Rust development environment for envc itself";
  base.debootstrap = {
    suite = "trixie";
    variant = "minbase";
    # Backports are enabled but never chosen by themselves: only packages named
    # `NAME/trixie-backports` below come from there.
    extra_suites = [ "trixie-backports" ];
  };

  build.apt = [
    "cargo/trixie-backports"
    "rustc/trixie-backports"
    "rustfmt/trixie-backports"
    "rust-clippy/trixie-backports"
    # Backports' cargo needs backports' libcurl, which trixie's curl (from build-essential.nix)
    # cannot live with: take curl from there too.
    "curl/trixie-backports"
    "nix-bin"
    "python3-venv"
    "squashfs-tools"
    "debootstrap"
  ];

  run = {
    project.target = "/repo";
    # crates.io is reached through the host's network; behind a TLS-intercepting proxy the
    # host's CA bundle is needed (mounted read-only at start, never in the image).
    ca_certificates = true;
    proxy = true;
    env = {
      CARGO_HOME = "/home/{user}/.cargo";
      # Not the checkout's target/: the host's toolchain builds there, and mixing the two
      # only makes both rebuild.
      CARGO_TARGET_DIR = "/home/{user}/.cache/envc-target";
    };
    # The crates.io index, downloaded crates and build results persist per project in named
    # volumes, so that a second `envc run -- cargo build` starts warm.
    volumes = [
      {
        name = "{project_slug}-cargo-registry";
        target = "/home/{user}/.cargo/registry";
        chown = true;
      }
      {
        name = "{project_slug}-cargo-target";
        target = "/home/{user}/.cache/envc-target";
        chown = true;
      }
    ];
  };
}
