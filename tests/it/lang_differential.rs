//! Differential test: every `eval-okay` case of `tests/lang/` that is not envc-only is also
//! evaluated by live Nix (`nix-instantiate --eval --strict --json`, Debian's `nix-bin`), and
//! Nix, the committed `.exp.json` and `envc eval` must all print the same thing (likewise
//! `.exp.nix` against Nix without `--json`). This keeps the committed expectations honest
//! and catches any case where envc and Nix drift apart.

use crate::lang_cases::{self, Expect, cases_dir, eval_case, run_with_timeout, short_diff};
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
    let mut failures = Vec::new();
    for case in &cases {
        for (flags, ext) in [(&["--json"][..], ".exp.json"), (&[][..], ".exp.nix")] {
            let mut nix = support::nix_instantiate();
            nix.current_dir(cases_dir())
                .args(["--eval", "--strict"])
                .args(flags)
                .arg(case.file_name());
            let ran = run_with_timeout(nix, lang_cases::CASE_TIMEOUT);
            if ran.code != Some(0) {
                failures.push(format!("  {}: Nix failed: {}", case.stem, ran.describe()));
                continue;
            }
            let committed = std::fs::read_to_string(case.sibling(ext)).unwrap_or_default();
            if committed.trim_end() != ran.stdout.trim_end() {
                failures.push(format!(
                    "  {}{ext} is stale against Nix (run tests/lang/regen):\n      {}",
                    case.stem,
                    short_diff(&ran.stdout, &committed)
                ));
            }
            let envc_flag = if flags.is_empty() { "--nix" } else { "--json" };
            let envc = eval_case(case, &[envc_flag]);
            if envc.code != Some(0) {
                failures.push(format!(
                    "  {}: Nix evaluates it, `envc eval {envc_flag}` does not: {}",
                    case.stem,
                    envc.describe()
                ));
            } else if envc.stdout.trim_end() != ran.stdout.trim_end() {
                failures.push(format!(
                    "  {}: `envc eval {envc_flag}` differs from Nix:\n      {}",
                    case.stem,
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
