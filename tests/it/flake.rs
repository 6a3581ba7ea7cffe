//! The Nix flake (flake.nix, flake.lock), checked with real Nix.
//!
//! These machines reach neither a Nix binary cache nor GitHub, so nothing is built here.
//! Instead Debian's `nix-bin` evaluates the real flake.nix, unchanged, against the stub
//! nixpkgs in tests/flake/stub-nixpkgs (`--override-input nixpkgs path:...`) on a temporary
//! git copy of the repository (flakes see only a git tree's files), and the tests check
//! what every output is: `nix flake check --no-build` for Nix's own schema, and
//! tests/flake/shape.nix for what the outputs hold.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::support;

/// The systems flake.nix must provide every output for.
const SYSTEMS: [&str; 4] = [
    "x86_64-linux",
    "aarch64-linux",
    "x86_64-darwin",
    "aarch64-darwin",
];

/// Flakes are experimental in Nix 2.8; nothing may be downloaded (a lock that needs an
/// update must fail fast, not retry); as root without a `nixbld` group Nix warns on every
/// call unless builds run as the calling user (nothing is built here anyway).
const NIX_CONFIG: &str = "extra-experimental-features = nix-command flakes
build-users-group =
download-attempts = 1
connect-timeout = 5
warn-dirty = false";

fn have_nix() -> bool {
    support::require(
        "Nix (`nix` and `nix-instantiate`, Debian's nix-bin)",
        support::have_command("nix") && support::have_command("nix-instantiate"),
    )
}

fn nix(program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("NIX_CONFIG", NIX_CONFIG).env_remove("NIX_PATH");
    cmd
}

/// `nix-instantiate` for parsing and evaluating plain expressions: `--store dummy://` needs
/// no writable /nix and no daemon, so it runs the same as root and as a normal user.
fn nix_instantiate() -> Command {
    let mut cmd = nix("nix-instantiate");
    cmd.args(["--store", "dummy://"]);
    cmd
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({})\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn run_json(cmd: &mut Command) -> Value {
    let out = run(cmd);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{cmd:?} printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// `nix-instantiate --eval --strict --json` of an expression, evaluated in `dir`.
fn nix_instantiate_json(dir: &Path, expr: &str) -> Value {
    run_json(
        nix_instantiate()
            .current_dir(dir)
            .args(["--eval", "--strict", "--json", "--expr", expr]),
    )
}

/// A git repository holding the repository's files as git sees them (tracked, or new and
/// not ignored), so the flake sees what a user's checkout would hold, and a Nix store of its
/// own (`--store DIR`, a local store rooted there) with its own fetcher cache: the tests need
/// no writable /nix, and no state is shared between tests or with other Nix users.
struct FlakeCopy {
    dir: tempfile::TempDir,
    state: tempfile::TempDir,
}

impl FlakeCopy {
    fn new() -> Option<FlakeCopy> {
        let root = support::repo_root();
        let is_checkout = Command::new("git")
            .current_dir(&root)
            .args(["rev-parse", "--is-inside-work-tree"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !support::require("a git checkout of envc and `git`", is_checkout) {
            return None;
        }
        let listed = run(Command::new("git").current_dir(&root).args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ]));
        let dir = tempfile::tempdir().expect("temporary directory");
        for name in listed.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
            let rel = Path::new(std::str::from_utf8(name).expect("utf-8 file name"));
            let from = root.join(rel);
            if !from.is_file() {
                continue; // deleted in the worktree but still in the index
            }
            let to = dir.path().join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        }
        let git = |args: &[&str]| {
            run(Command::new("git")
                .current_dir(dir.path())
                .args([
                    "-c",
                    "user.name=envc tests",
                    "-c",
                    "user.email=tests@envc.invalid",
                ])
                .args(args));
        };
        git(&["init", "-q"]);
        git(&["add", "-A"]);
        git(&[
            "commit",
            "-q",
            "--no-gpg-sign",
            "-m",
            "copy for the flake tests",
        ]);
        let state = tempfile::tempdir().expect("temporary directory");
        Some(FlakeCopy { dir, state })
    }

    /// `nix` with this copy's own store and caches.
    fn nix(&self) -> Command {
        let mut cmd = nix("nix");
        cmd.current_dir(self.path())
            .env("XDG_CACHE_HOME", self.state.path().join("cache"))
            .arg("--store")
            .arg(self.state.path().join("store"));
        cmd
    }

    /// Where a `/nix/store/...` path of this copy's store really is on disk.
    fn real_path(&self, store_path: &str) -> PathBuf {
        let rel = store_path
            .strip_prefix('/')
            .expect("an absolute store path");
        self.state.path().join("store").join(rel)
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn stub(&self) -> PathBuf {
        self.path().join("tests/flake/stub-nixpkgs")
    }

    /// `nix <subcommand>` on this flake with nixpkgs replaced by the stub.
    fn nix_stubbed(&self, subcommand: &[&str], attr: Option<&str>) -> Command {
        let mut cmd = self.nix();
        let installable = match attr {
            Some(attr) => format!("{}#{attr}", self.path().display()),
            None => self.path().display().to_string(),
        };
        cmd.args(subcommand)
            .arg("--show-trace")
            .args(["--override-input", "nixpkgs"])
            .arg(format!("path:{}", self.stub().display()))
            .arg(installable);
        cmd
    }

    /// One flake output described by tests/flake/shape.nix.
    fn shape(&self, output: &str) -> Value {
        let shape = std::fs::read_to_string(self.path().join("tests/flake/shape.nix")).unwrap();
        run_json(
            self.nix_stubbed(&["eval", "--json"], Some(output))
                .args(["--apply", &shape]),
        )
    }
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {v:#}"))
}

fn names_at(v: &Value, pointer: &str) -> Vec<String> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no list at {pointer} in {v:#}"))
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect()
}

fn keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an attribute set: {v:#}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn assert_derivation(v: &Value, what: &str) {
    assert_eq!(v["kind"], "derivation", "{what} is not a derivation: {v:#}");
    assert!(
        str_at(v, "/drvPath").ends_with(".drv"),
        "{what} has no .drv: {v:#}"
    );
    assert!(
        str_at(v, "/out").starts_with("/nix/store/"),
        "{what} has no store output: {v:#}"
    );
}

fn cargo_version() -> String {
    let manifest = std::fs::read_to_string(support::repo_root().join("Cargo.toml")).unwrap();
    regex::Regex::new(r#"(?m)^version = "([^"]+)""#)
        .unwrap()
        .captures(&manifest)
        .expect("a version in Cargo.toml")[1]
        .to_owned()
}

#[test]
fn flake_nix_parses_with_real_nix() {
    if !have_nix() {
        return;
    }
    run(nix_instantiate()
        .arg("--parse")
        .arg(support::repo_root().join("flake.nix")));
}

#[test]
fn flake_nix_parses_with_envc_evaluator() {
    if !have_nix() {
        return;
    }
    let expr = "let flake = import ./flake.nix; in \
                { names = builtins.attrNames flake; inherit (flake) description inputs; }";
    let root = support::repo_root();
    let ours = support::envc()
        .current_dir(&root)
        .args(["eval", "--json", "--expr", expr])
        .run()
        .ok();
    let ours: Value = serde_json::from_str(&ours).expect("envc eval prints JSON");
    assert_eq!(ours, nix_instantiate_json(&root, expr));
    assert_eq!(ours["names"], json!(["description", "inputs", "outputs"]));
}

#[test]
fn flake_check_accepts_the_outputs_on_every_system() {
    if !have_nix() {
        return;
    }
    let Some(copy) = FlakeCopy::new() else { return };
    // Nix's own schema: packages/checks/devShells/formatter are derivations, apps are
    // apps, the overlay is `final: prev: ...`, on every system the flake lists.
    run(&mut copy.nix_stubbed(&["flake", "check", "--no-build"], None));
}

#[test]
fn flake_outputs_have_the_expected_shapes() {
    if !have_nix() {
        return;
    }
    let Some(copy) = FlakeCopy::new() else { return };
    let name = format!("envc-{}", cargo_version());

    let packages = copy.shape("packages");
    let mut systems = SYSTEMS.to_vec();
    systems.sort_unstable();
    assert_eq!(keys(&packages), systems);
    let apps = copy.shape("apps");
    let shells = copy.shape("devShells");
    let checks = copy.shape("checks");
    let formatter = copy.shape("formatter");
    for system in SYSTEMS {
        let pkgs = &packages[system];
        assert_eq!(keys(pkgs), ["default", "envc"], "packages.{system}");
        let envc = &pkgs["envc"];
        assert_derivation(envc, &format!("packages.{system}.envc"));
        assert_eq!(pkgs["default"], pkgs["envc"], "packages.{system}.default");
        assert_eq!(envc["name"], name.as_str());
        assert_eq!(envc["mainProgram"], "envc");
        assert!(
            envc["platforms"]
                .as_array()
                .unwrap()
                .contains(&json!(system))
        );
        assert_eq!(envc["env"]["doCheck"], true, "the check phase runs");
        assert!(
            str_at(envc, "/env/preCheck").contains("export ENVC_TEST_OFFLINE=1"),
            "the check phase runs only the offline tests: {envc:#}"
        );
        let post_install = str_at(envc, "/env/postInstall");
        for needle in [
            "$out/share/envc/modules",
            "installShellCompletion --cmd envc",
            "envc completions bash",
            "envc completions zsh",
            "envc completions fish",
            "envc man > envc.1",
            "installManPage envc.1",
        ] {
            assert!(
                post_install.contains(needle),
                "postInstall lacks {needle:?}:\n{post_install}"
            );
        }
        assert!(names_at(envc, "/inputs").contains(&"install-shell-files-stub".to_owned()));

        let out = str_at(envc, "/out");
        for app in ["envc", "default"] {
            let a = &apps[system][app];
            assert_eq!(a["type"], "app", "apps.{system}.{app}");
            let program = str_at(a, "/program");
            assert!(
                program.ends_with("/bin/envc"),
                "apps.{system}.{app}: {program}"
            );
            assert_eq!(program, format!("{out}/bin/envc"), "apps.{system}.{app}");
        }
        assert_eq!(keys(&apps[system]), ["default", "envc"]);

        let shell = &shells[system]["default"];
        assert_derivation(shell, &format!("devShells.{system}.default"));
        let tools = names_at(shell, "/inputs");
        let mut wanted = vec![
            "cargo",
            "rustc",
            "clippy",
            "rustfmt",
            "rust-analyzer",
            "nix",
            "python3",
            "docker",
            "install-shell-files",
        ];
        if system.ends_with("-linux") {
            wanted.push("apptainer");
        }
        for tool in wanted {
            assert!(
                tools.contains(&format!("{tool}-stub")),
                "devShells.{system}.default lacks {tool}: {tools:?}"
            );
        }
        assert!(!str_at(shell, "/env/RUST_SRC_PATH").is_empty());

        let check = &checks[system];
        assert_eq!(keys(check), ["clippy", "envc", "fmt"], "checks.{system}");
        assert_eq!(
            check["envc"], pkgs["envc"],
            "checks.{system}.envc is the package"
        );
        assert_derivation(&check["clippy"], &format!("checks.{system}.clippy"));
        let clippy = str_at(&check["clippy"], "/env/buildPhase");
        assert!(
            clippy.contains("cargo clippy --locked --offline --all-targets -- -D warnings"),
            "{clippy}"
        );
        assert_eq!(check["clippy"]["env"]["doCheck"], false);
        assert!(names_at(&check["clippy"], "/inputs").contains(&"clippy-stub".to_owned()));
        assert_derivation(&check["fmt"], &format!("checks.{system}.fmt"));
        assert!(str_at(&check["fmt"], "/env/buildCommand").contains("cargo fmt --all -- --check"));

        assert_derivation(&formatter[system], &format!("formatter.{system}"));
        assert_eq!(formatter[system]["name"], "nixfmt-stub");
    }

    // The overlay adds `envc`, built from the package set it is applied to.
    let overlays = copy.shape("overlays");
    assert_eq!(keys(&overlays), ["default"]);
    assert_eq!(overlays["default"]["kind"], "function");
    let stub = copy.stub();
    let shape = copy.path().join("tests/flake/shape.nix");
    let apply = format!(
        "overlays: let \
           lib = import {stub}/lib.nix; \
           prev = import {stub}/pkgs.nix {{ inherit lib; system = \"x86_64-linux\"; }}; \
           final = prev // overlays.default final prev; \
         in import {shape} final.envc",
        stub = stub.display(),
        shape = shape.display()
    );
    let overlaid = run_json(
        copy.nix_stubbed(&["eval", "--json", "--impure"], Some("overlays"))
            .args(["--apply", &apply]),
    );
    assert_derivation(&overlaid, "the overlay's envc");
    assert_eq!(overlaid["name"], name.as_str());
}

#[test]
fn package_source_holds_what_cargo_needs_and_nothing_else() {
    if !have_nix() {
        return;
    }
    let Some(copy) = FlakeCopy::new() else { return };
    let envc = copy.shape("packages.x86_64-linux.envc");
    let files = names_at(&envc, "/srcFiles");
    let has = |f: &str| files.iter().any(|x| x == f);

    for needed in ["Cargo.toml", "Cargo.lock", "src/main.rs", "src/lib.rs"] {
        assert!(has(needed), "the package source lacks {needed}: {files:?}");
    }
    // Everything under the folders cargo and the tests read is there, file for file.
    for dir in ["src", "modules", "tests", "examples", "benches"] {
        for file in git_files(copy.path(), dir) {
            assert!(has(&file), "the package source lacks {file}");
        }
    }
    for left_out in ["flake.nix", "flake.lock", "README.md", "scripts/test"] {
        assert!(!has(left_out), "the package source holds {left_out}");
    }

    // Files the code embeds at compile time are in the source.
    let embed = regex::Regex::new(
        r#"include_(?:str|bytes|dir)!\(\s*"(?:\$CARGO_MANIFEST_DIR/)?([^"]+)"\s*\)"#,
    )
    .unwrap();
    for file in git_files(copy.path(), "src") {
        if !file.ends_with(".rs") {
            continue;
        }
        let text = std::fs::read_to_string(copy.path().join(&file)).unwrap();
        for cap in embed.captures_iter(&text) {
            let target = &cap[1];
            let whole = &cap[0];
            let resolved = if whole.contains("$CARGO_MANIFEST_DIR") {
                PathBuf::from(target)
            } else {
                Path::new(&file).parent().unwrap().join(target)
            };
            let resolved = normalize(&resolved);
            assert!(
                files
                    .iter()
                    .any(|f| *f == resolved || f.starts_with(&format!("{resolved}/"))),
                "{file} embeds {target}, which is not in the package source"
            );
        }
    }

    // Cargo accepts the filtered tree (every target it declares or discovers exists).
    assert_eq!(
        envc["cargoLockMatchesSource"], true,
        "the source's Cargo.lock is `cargoLock.lockFile`"
    );
    let src = copy.real_path(str_at(&envc, "/src"));
    let metadata = run_json(Command::new(env!("CARGO")).current_dir(&src).args([
        "metadata",
        "--no-deps",
        "--offline",
        "--format-version",
        "1",
    ]));
    let targets = metadata
        .pointer("/packages/0/targets")
        .and_then(Value::as_array)
        .expect("cargo metadata lists targets");
    for target in targets {
        let path = Path::new(target["src_path"].as_str().unwrap());
        assert!(path.is_file(), "{} is missing", path.display());
    }
}

/// The repository files git lists under `dir` (relative paths), in the copy.
fn git_files(copy: &Path, dir: &str) -> Vec<String> {
    let out = run(Command::new("git")
        .current_dir(copy)
        .args(["ls-files", "-z", "--", dir]));
    out.stdout
        .split(|&b| b == 0)
        .filter(|n| !n.is_empty())
        .map(|n| String::from_utf8(n.to_vec()).unwrap())
        .collect()
}

/// Resolve `..` and `.` in a relative path, as text.
fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::CurDir => {}
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}

#[test]
fn flake_lock_pins_nixpkgs_and_matches_the_inputs() {
    if !have_nix() {
        return;
    }
    let root = support::repo_root();
    let lock: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("flake.lock")).unwrap())
            .expect("flake.lock is JSON");
    assert_eq!(lock["version"], 7);
    assert_eq!(lock["root"], "root");
    let nodes = lock["nodes"].as_object().unwrap();
    let root_inputs = &nodes["root"]["inputs"];

    // What flake.nix asks for, as real Nix reads it.
    let inputs = nix_instantiate_json(&root, "(import ./flake.nix).inputs");
    assert_eq!(
        keys(&inputs),
        keys(root_inputs),
        "flake.nix inputs vs flake.lock"
    );
    assert_eq!(
        nodes.len(),
        keys(&inputs).len() + 1,
        "flake.lock holds a node per input plus the root: {lock:#}"
    );
    for (name, input) in inputs.as_object().unwrap() {
        let node = &nodes[root_inputs[name].as_str().unwrap()];
        let url = input["url"].as_str().expect("each input has a url");
        let spec = url.strip_prefix("github:").expect("a github: input");
        let parts: Vec<&str> = spec.split('/').collect();
        let [owner, repo, git_ref] = parts[..] else {
            panic!("{url} is not github:OWNER/REPO/REF")
        };
        assert_eq!(
            node["original"],
            json!({"type": "github", "owner": owner, "repo": repo, "ref": git_ref})
        );
        let locked = &node["locked"];
        assert_eq!(locked["type"], "github");
        assert_eq!(locked["owner"], owner);
        assert_eq!(locked["repo"], repo);
        assert!(node.get("inputs").is_none(), "{name} pulls in no inputs");
    }
    assert_eq!(
        nodes["nixpkgs"]["locked"],
        json!({
            "lastModified": 1778430510u64,
            "narHash": "sha256-Ti+ZBvW6yrWWAg2szExVTwCd4qOJ3KlVr1tFHfyfi8Q=",
            "owner": "NixOS",
            "repo": "nixpkgs",
            "rev": "8fd9daa3db09ced9700431c5b7ad0e8ba199b575",
            "type": "github"
        })
    );
    assert_eq!(nodes["nixpkgs"]["original"]["ref"], "nixos-25.11");

    // Nix itself finds the lock up to date (a stale lock would make it fetch, which
    // fails here), and reads back exactly the file.
    let Some(copy) = FlakeCopy::new() else { return };
    let meta = run_json(
        copy.nix()
            .args(["flake", "metadata", "--json", "--no-update-lock-file"])
            .arg(copy.path()),
    );
    assert_eq!(meta["locks"], lock);
}

#[test]
fn install_time_generators_work() {
    for (shell, marker) in [
        ("bash", "_envc()"),
        ("zsh", "#compdef envc"),
        ("fish", "complete -c envc"),
    ] {
        let out = support::envc().args(["completions", shell]).run().ok();
        assert!(out.contains(marker), "{shell} completions:\n{out}");
        assert!(
            out.contains("completions"),
            "{shell} completes the subcommands"
        );
    }
    let man = support::envc().arg("man").run().ok();
    assert!(man.contains(".TH envc 1"), "{man}");
    assert!(
        man.contains("completions"),
        "the man page lists the subcommands"
    );
    let bad = support::envc().args(["completions", "nosuchshell"]).run();
    assert_eq!(bad.code(), 2);
}

/// The README's Nix section promises that its plain `envc.nix` evaluates to the same JSON
/// with `nix eval --json -f` as with `envc eval`: keep that true.
#[test]
fn readme_envc_nix_evaluates_alike_with_nix_and_envc() {
    if !have_nix() {
        return;
    }
    let readme = std::fs::read_to_string(support::repo_root().join("README.md")).unwrap();
    let section = readme
        .split("### An `envc.nix` that real Nix reads the same way")
        .nth(1)
        .expect("the README has the envc.nix section");
    let example = section
        .split("```nix\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section shows an envc.nix");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("envc.nix"), example).unwrap();

    let ours = support::envc()
        .current_dir(dir.path())
        .args(["eval", "envc.nix"])
        .run()
        .ok();
    let ours: Value = serde_json::from_str(&ours).expect("envc eval prints JSON");
    let nix = run_json(
        nix("nix")
            .current_dir(dir.path())
            .args(["eval", "--json", "--store", "dummy://", "-f", "envc.nix"]),
    );
    assert_eq!(ours, nix);
    assert!(ours.is_object() && !ours.as_object().unwrap().is_empty());
}
