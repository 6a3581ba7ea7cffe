//! Hermeticity refusals that need a file tree made at test time: symlinks that leave the
//! project root (not committed, since a symlink in the repository would point at a
//! checkout-specific place) must be refused, and symlinks that stay inside must work.

use std::os::unix::fs::symlink;
use std::path::Path;

use crate::lang_cases::{envc_eval, excerpt};

/// The word every refusal to leave the project root must contain.
const REFUSAL: &str = "outside";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A project at `TMP/project` next to `TMP/elsewhere`, which holds what links point to.
fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(&tmp.path().join("elsewhere/secret.nix"), "\"secret\"\n");
    write(&tmp.path().join("elsewhere/secret.txt"), "secret\n");
    write(&tmp.path().join("project/real.nix"), "{ real = true; }\n");
    tmp
}

/// Skips loudly (fails in CI) until the binary has `envc eval`.
fn evaluator() -> bool {
    crate::support::require("`envc eval`", crate::lang_cases::have_eval())
}

fn assert_refused(project: &Path, entry: &str, location: &str) {
    let ran = envc_eval(project, entry, &[]);
    assert!(!ran.crashed(), "envc crashed: {}", ran.describe());
    assert_eq!(
        ran.code,
        Some(2),
        "a symlink leaving the root must be refused; got {}",
        ran.describe()
    );
    assert!(
        ran.stderr.to_lowercase().contains(REFUSAL),
        "the refusal must say the file is `{REFUSAL}` the root; stderr: {}",
        excerpt(&ran.stderr, 800)
    );
    assert!(
        ran.stderr.contains(location),
        "the refusal must point at `{location}`; stderr: {}",
        excerpt(&ran.stderr, 800)
    );
}

#[test]
fn lang_symlink_file_leaving_root_is_refused_for_import() {
    if !evaluator() {
        return;
    }
    let tmp = project();
    let project = tmp.path().join("project");
    symlink("../elsewhere/secret.nix", project.join("link.nix")).unwrap();
    write(
        &project.join("main.nix"),
        "{\n  v = import ./link.nix;\n}\n",
    );
    assert_refused(&project, "main.nix", "main.nix:2:");
}

#[test]
fn lang_symlink_dir_leaving_root_is_refused_for_readfile_and_pathexists() {
    if !evaluator() {
        return;
    }
    let tmp = project();
    let project = tmp.path().join("project");
    symlink("../elsewhere", project.join("linked-dir")).unwrap();
    write(
        &project.join("read.nix"),
        "builtins.readFile ./linked-dir/secret.txt\n",
    );
    assert_refused(&project, "read.nix", "read.nix:1:");
    write(
        &project.join("exists.nix"),
        "builtins.pathExists ./linked-dir/secret.txt\n",
    );
    assert_refused(&project, "exists.nix", "exists.nix:1:");
}

#[test]
fn lang_absolute_symlink_leaving_root_is_refused() {
    if !evaluator() {
        return;
    }
    let tmp = project();
    let project = tmp.path().join("project");
    symlink(
        tmp.path().join("elsewhere/secret.nix"),
        project.join("abs-link.nix"),
    )
    .unwrap();
    write(&project.join("main.nix"), "import ./abs-link.nix\n");
    assert_refused(&project, "main.nix", "main.nix:1:");
}

#[test]
fn lang_symlink_inside_root_is_followed() {
    if !evaluator() {
        return;
    }
    let tmp = project();
    let project = tmp.path().join("project");
    symlink("real.nix", project.join("alias.nix")).unwrap();
    std::fs::create_dir_all(project.join("sub")).unwrap();
    symlink("../real.nix", project.join("sub/up.nix")).unwrap();
    write(
        &project.join("main.nix"),
        "[ (import ./alias.nix).real (import ./sub/up.nix).real (builtins.pathExists ./alias.nix) ]\n",
    );
    let ran = envc_eval(&project, "main.nix", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.describe());
    assert_eq!(ran.stdout.trim_end(), "[true,true,true]");
}

#[test]
fn lang_root_flag_allows_a_wider_root() {
    if !evaluator() {
        return;
    }
    // With `--root` at the parent, files beside the project are inside the root.
    let tmp = project();
    let project = tmp.path().join("project");
    write(
        &project.join("main.nix"),
        "import ../elsewhere/secret.nix\n",
    );
    let root = tmp.path().to_string_lossy().into_owned();
    let ran = envc_eval(&project, "main.nix", &["--root", &root]);
    assert_eq!(ran.code, Some(0), "{}", ran.describe());
    assert_eq!(ran.stdout.trim_end(), "\"secret\"");
    // Without it, the same import leaves the root.
    assert_refused(&project, "main.nix", "main.nix:1:");
}
