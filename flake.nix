# envc as a Nix flake: the package, `nix run .#envc -- up`, a development shell,
# checks (the package with its offline tests, clippy, rustfmt), an overlay and a formatter.
#
# Only nixpkgs is an input: everything here is plain nixpkgs (`rustPlatform`, `lib.fileset`),
# so the lock pins exactly one thing. tests/it/flake.rs evaluates these outputs with real Nix
# against a stub nixpkgs (tests/flake/stub-nixpkgs) and checks their shapes.
{
  description = "envc: a declarative environment compiler (pinned Docker and Apptainer builds, a run manifest)";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;

      # envc only needs a Docker socket at run time, so it builds and runs on macOS too.
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      cargoToml = builtins.fromTOML (builtins.readFile ./Cargo.toml);

      # What cargo needs to build envc and run its check phase, and nothing else, so that
      # editing the README, CI files or this flake does not rebuild the package.
      # `modules/` is embedded into the binary at compile time, so it must be here;
      # tests/ and examples/ are read by the integration tests.
      src = lib.fileset.toSource {
        root = ./.;
        fileset = lib.fileset.unions (
          [
            ./Cargo.toml
            ./Cargo.lock
            ./src
            ./tests
          ]
          ++ map lib.fileset.maybeMissing [
            ./build.rs
            ./modules
            ./examples
            ./benches
            ./rustfmt.toml
            ./.rustfmt.toml
            ./clippy.toml
            ./.clippy.toml
          ]
        );
      };

      mkEnvc =
        pkgs:
        pkgs.rustPlatform.buildRustPackage {
          pname = "envc";
          inherit (cargoToml.package) version;
          inherit src;
          cargoLock.lockFile = ./Cargo.lock;

          nativeBuildInputs = [ pkgs.installShellFiles ];

          # The sandbox has no container engine, no network and no Nix: with
          # ENVC_TEST_OFFLINE=1, tests/it/support.rs counts external commands as absent
          # and `require` skips (never fails) what is missing; the self-contained tests run.
          preCheck = ''
            export ENVC_TEST_OFFLINE=1
          '';

          # The built-in modules are compiled into the binary (`<envc/NAME>`); the copy
          # under share/ is for reading them.
          postInstall = ''
            if [ -d modules ]; then
              mkdir -p $out/share/envc
              cp -r modules $out/share/envc/modules
            fi
          ''
          + lib.optionalString (pkgs.stdenv.buildPlatform.canExecute pkgs.stdenv.hostPlatform) ''
            installShellCompletion --cmd envc \
              --bash <($out/bin/envc completions bash) \
              --fish <($out/bin/envc completions fish) \
              --zsh <($out/bin/envc completions zsh)
            $out/bin/envc man > envc.1
            installManPage envc.1
          '';

          meta = {
            inherit (cargoToml.package) description;
            license = with lib.licenses; [
              mit
              asl20
            ];
            mainProgram = "envc";
            platforms = systems;
          };
        };

      systemOf = pkgs: pkgs.stdenv.hostPlatform.system;
    in
    {
      overlays.default = final: prev: { envc = mkEnvc final; };

      packages = forAllSystems (
        pkgs:
        let
          envc = mkEnvc pkgs;
        in
        {
          inherit envc;
          default = envc;
        }
      );

      apps = forAllSystems (
        pkgs:
        let
          envc = {
            type = "app";
            program = lib.getExe self.packages.${systemOf pkgs}.envc;
            meta.description = "Run envc";
          };
        in
        {
          inherit envc;
          default = envc;
        }
      );

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          inputsFrom = [ self.packages.${systemOf pkgs}.envc ];
          # The toolchain, and what scripts/test uses: nix-instantiate (the evaluator's
          # oracle), python3 (scripts/setup puts the PyPI checkers in .tools/venv), the
          # docker CLI (the engine itself comes from the host), squashfs and Apptainer tools.
          packages =
            with pkgs;
            [
              cargo
              rustc
              clippy
              rustfmt
              rust-analyzer
              nix
              python3
              git
              docker-client
              hadolint
              check-jsonschema
              squashfsTools
              hyperfine
              nixfmt
            ]
            ++ lib.optionals stdenv.hostPlatform.isLinux [ apptainer ];
          RUST_SRC_PATH = "${pkgs.rustPlatform.rustLibSrc}";
        };
      });

      checks = forAllSystems (
        pkgs:
        let
          envc = self.packages.${systemOf pkgs}.envc;
        in
        {
          inherit envc;

          # Same vendored dependencies as the package; the build phase is clippy instead.
          clippy = envc.overrideAttrs (old: {
            pname = "envc-clippy";
            nativeBuildInputs = old.nativeBuildInputs ++ [ pkgs.clippy ];
            buildPhase = ''
              runHook preBuild
              cargo clippy --locked --offline --all-targets -- -D warnings
              runHook postBuild
            '';
            doCheck = false;
            installPhase = ''
              touch $out
            '';
            postInstall = "";
          });

          fmt =
            pkgs.runCommand "envc-fmt"
              {
                nativeBuildInputs = [
                  pkgs.cargo
                  pkgs.rustfmt
                ];
              }
              ''
                export CARGO_HOME=$TMPDIR/cargo
                cd ${src}
                cargo fmt --all -- --check
                touch $out
              '';
        }
      );

      formatter = forAllSystems (pkgs: pkgs.nixfmt);
    };
}
