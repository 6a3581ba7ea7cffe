//! Differential test: every `eval-okay` case of `tests/lang/` that is not envc-only is also
//! evaluated by live Nix (`nix-instantiate --eval --strict --json`, Debian's `nix-bin`), and
//! Nix, the committed `.exp.json` and `envc eval` must all print the same thing (likewise
//! `.exp.nix` against Nix without `--json`). This keeps the committed expectations honest
//! and catches any case where envc and Nix drift apart.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::lang_cases::{self, Expect, eval_case, run_with_timeout, short_diff};
use crate::support;

#[test]
fn lang_differential_against_nix() {
    if !support::require("nix-instantiate (Debian's nix-bin)", support::have_nix()) {
        return;
    }
    if !support::require("`envc eval`", crate::lang_cases::have_eval()) {
        return;
    }
    let cases: Vec<_> = lang_cases::discover()
        .into_iter()
        .filter(|c| c.expect == Expect::Okay && !c.envc_only)
        .collect();
    assert!(!cases.is_empty(), "no eval-okay cases found");
    // Cases envc is known to get wrong are excused from the envc-versus-Nix comparison
    // (the `lang_cases` test holds them to the list); the committed files never are.
    let known = lang_cases::known_failures(lang_cases::KNOWN_FAILURES);
    let mut failures = Vec::new();
    for case in &cases {
        for (flags, ext) in [(&["--json"][..], ".exp.json"), (&[][..], ".exp.nix")] {
            let mut nix = support::nix_instantiate();
            nix.current_dir(&case.dir)
                .args(["--eval", "--strict"])
                .args(flags)
                .arg(case.file_name());
            let ran = run_with_timeout(nix, lang_cases::CASE_TIMEOUT);
            if ran.code != Some(0) {
                failures.push(format!("  {}: Nix failed: {}", case.name, ran.describe()));
                continue;
            }
            let committed = std::fs::read_to_string(case.sibling(ext)).unwrap_or_default();
            if committed.trim_end() != ran.stdout.trim_end() {
                failures.push(format!(
                    "  {}{ext} is stale against Nix (run tests/lang/regen):\n      {}",
                    case.name,
                    short_diff(&ran.stdout, &committed)
                ));
            }
            if known.contains_key(&case.name) {
                continue;
            }
            let envc_flag = if flags.is_empty() { "--nix" } else { "--json" };
            let envc = eval_case(case, &[envc_flag]);
            if envc.code != Some(0) {
                failures.push(format!(
                    "  {}: Nix evaluates it, `envc eval {envc_flag}` does not: {}",
                    case.name,
                    envc.describe()
                ));
            } else if envc.stdout.trim_end() != ran.stdout.trim_end() {
                failures.push(format!(
                    "  {}: `envc eval {envc_flag}` differs from Nix:\n      {}",
                    case.name,
                    short_diff(&ran.stdout, &envc.stdout)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences between envc and Nix over {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The oracle setup works for a normal user too (no writable store, no daemon): when the
/// tests run as root, evaluate once more as `nobody` through `setpriv`.
#[test]
fn lang_oracle_works_as_a_normal_user() {
    if !support::require("nix-instantiate (Debian's nix-bin)", support::have_nix()) {
        return;
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = tmp.path().join("case.nix");
    // A path interpolation needs a store path computed: the dummy store does it read-only.
    std::fs::write(
        &file,
        "{ sum = 1 + 1; p = builtins.substring 0 11 \"${./case.nix}\"; }\n",
    )
    .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut cmd = if is_root && support::have_command("setpriv") {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg("nix-instantiate")
            .args(["--store", "dummy://"])
            .env_remove("NIX_PATH")
            .env("HOME", "/nonexistent");
        c
    } else {
        support::nix_instantiate()
    };
    cmd.args(["--eval", "--strict", "--json"]).arg(&file);
    let ran = run_with_timeout(cmd, lang_cases::CASE_TIMEOUT);
    assert_eq!(ran.code, Some(0), "{}", ran.describe());
    assert_eq!(ran.stdout.trim_end(), r#"{"p":"/nix/store/","sum":2}"#);
}
