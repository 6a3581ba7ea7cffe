//! The evaluation budget and deep or wide inputs (#20.1, #20.3, #15.10): an expression
//! that allocates without bound, nests 100k levels deep or fails past column 65535 is an
//! error with exit 2, its message and its location — never an abort, a stack overflow or
//! a panic. Asserts messages and locations, never times.

use std::path::Path;
use std::process::Command;

use crate::lang_cases::{Ran, envc_eval, excerpt};

/// The concatenation of a list mapped over itself: 10^10 elements (160 GB) if allowed.
const UNBOUNDED: &str = "let xs = builtins.genList (x: x) 100000; in builtins.length (builtins.concatLists (map (x: xs) xs))\n";

/// A string doubled until it passes any ceiling, a little at a time: no single request
/// is large before the last ones.
const DOUBLING: &str = "let go = n: s: if n == 0 then s else go (n - 1) (s + s); in builtins.stringLength (go 40 \"x\")\n";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// `line:col` (1-based, in characters) of the first occurrence of `needle` in `text`.
fn line_col(text: &str, needle: &str) -> String {
    let at = text.find(needle).expect("needle in text");
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    format!("{line}:{}", before[start..].chars().count() + 1)
}

fn assert_refused(ran: &Ran, message: &str, location: &str) {
    assert!(!ran.crashed(), "envc crashed: {}", ran.describe());
    assert_eq!(ran.code, Some(2), "expected exit 2; got {}", ran.describe());
    assert!(
        ran.stderr.contains(message),
        "expected `{message}` in: {}",
        excerpt(&ran.stderr, 600)
    );
    assert!(
        ran.stderr.contains(location),
        "expected the location `{location}` in: {}",
        excerpt(&ran.stderr, 600)
    );
    assert!(ran.stdout.is_empty(), "nothing is printed: {}", ran.stdout);
}

#[test]
fn unbounded_concat_lists_is_an_error_at_the_call() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "unbounded.nix", UNBOUNDED);
    let ran = envc_eval(dir.path(), "unbounded.nix", &["--max-memory", "1G"]);
    let at = format!(
        "unbounded.nix:{}",
        line_col(UNBOUNDED, "builtins.concatLists")
    );
    assert_refused(&ran, "evaluation exceeded 1 GiB of memory", &at);
    assert!(
        ran.stderr.contains("--max-memory"),
        "the hint names the flag"
    );
}

#[test]
fn the_ceiling_comes_from_the_environment_too() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "unbounded.nix", UNBOUNDED);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_envc"));
    cmd.env("NO_COLOR", "1")
        .env("ENVC_EVAL_MAX_MEMORY", "64M")
        .current_dir(dir.path())
        .args(["eval", "unbounded.nix"]);
    let ran = crate::lang_cases::run_with_timeout(cmd, crate::lang_cases::CASE_TIMEOUT);
    assert_refused(
        &ran,
        "evaluation exceeded 64 MiB of memory",
        "unbounded.nix:1:",
    );
}

#[test]
fn a_bad_ceiling_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "one.nix", "1\n");
    let ran = envc_eval(dir.path(), "one.nix", &["--max-memory", "lots"]);
    assert_eq!(ran.code, Some(2), "{}", ran.describe());
    assert!(ran.stderr.contains("not a memory size"), "{}", ran.stderr);
}

#[test]
fn a_value_within_the_ceiling_evaluates() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "small.nix",
        "let xs = builtins.genList (x: x) 1000; in builtins.length (builtins.concatLists (map (x: xs) xs))\n",
    );
    let ran = envc_eval(dir.path(), "small.nix", &["--max-memory", "256M"]);
    assert_eq!(ran.code, Some(0), "{}", ran.describe());
    assert_eq!(ran.stdout.trim(), "1000000");
}

/// Peak RSS of the whole process stays under the ceiling + 10 % while the evaluation
/// grows step by step until it passes the ceiling.
#[test]
fn growth_stops_at_the_ceiling_and_rss_stays_below_it() {
    let time = Path::new("/usr/bin/time");
    if !crate::support::require("/usr/bin/time (GNU time)", time.exists()) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "doubling.nix", DOUBLING);
    let ceiling: u64 = 1 << 30;
    let mut cmd = Command::new(time);
    cmd.env("NO_COLOR", "1")
        .current_dir(dir.path())
        .args(["-f", "peak-rss-kib=%M", env!("CARGO_BIN_EXE_envc")])
        .args(["--max-memory", "1G", "eval", "doubling.nix"]);
    let ran = crate::lang_cases::run_with_timeout(cmd, crate::lang_cases::CASE_TIMEOUT);
    let at = format!("doubling.nix:{}", line_col(DOUBLING, "s + s"));
    assert_refused(&ran, "evaluation exceeded 1 GiB of memory", &at);
    let rss_kib: u64 = ran
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss-kib="))
        .and_then(|v| v.trim().parse().ok())
        .expect("GNU time's peak RSS line");
    let bound = ceiling + ceiling / 10;
    println!(
        "peak RSS {} MiB, ceiling {} MiB",
        rss_kib >> 10,
        ceiling >> 20
    );
    assert!(
        rss_kib * 1024 < bound,
        "peak RSS {rss_kib} KiB is above the ceiling + 10 % ({bound} bytes)"
    );
}

/// 100k levels of each kind of nesting: a depth error at the level past the bound.
#[test]
fn deep_inputs_give_a_depth_error() {
    let n = 100_000;
    let cases = [
        (
            "list.nix",
            format!("{}{}\n", "[".repeat(n), "]".repeat(n)),
            "1:1001",
        ),
        (
            "attrs.nix",
            format!("{}1{}\n", "{ a = ".repeat(n), "; }".repeat(n)),
            "1:6001",
        ),
        (
            "parens.nix",
            format!("{}1{}\n", "(".repeat(n), ")".repeat(n)),
            "1:1001",
        ),
        ("negate.nix", format!("{}1\n", "-".repeat(n)), "1:1001"),
        ("plus.nix", format!("1{}\n", " + 1".repeat(n)), "1:1"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, text, at) in &cases {
        write(dir.path(), name, text);
        let ran = envc_eval(dir.path(), name, &[]);
        assert_refused(&ran, "nested more than", &format!("{name}:{at}"));
    }
}

/// An error past column 65535 renders (a window of the line) instead of panicking, in
/// `envc eval` and in `envc check` for both config formats.
#[test]
fn an_error_past_column_65535_is_reported() {
    let pad = " ".repeat(70_000);
    let dir = tempfile::tempdir().unwrap();
    let nix = format!("{{ a = {pad}b; }}\n");
    write(dir.path(), "wide.nix", &nix);
    let ran = envc_eval(dir.path(), "wide.nix", &[]);
    assert_refused(&ran, "undefined variable `b`", "wide.nix:1:70007");

    for (name, text) in [
        ("envc.nix", format!("{{ name = \"x\"; {pad}bogus = 1; }}\n")),
        (
            "envc.json",
            format!("{{\"name\": \"x\", {pad}\"bogus\": 1}}\n"),
        ),
    ] {
        let project = tempfile::tempdir().unwrap();
        write(project.path(), name, &text);
        let out = crate::support::envc()
            .current_dir(project.path())
            .args(["check", "-f", name])
            .run();
        let stderr = out.stderr();
        assert_eq!(out.code(), 2, "{name}: {}", excerpt(&stderr, 600));
        assert!(
            !stderr.contains("panicked"),
            "{name}: {}",
            excerpt(&stderr, 600)
        );
        assert!(
            stderr.contains("bogus"),
            "{name}: {}",
            excerpt(&stderr, 600)
        );
        assert!(
            stderr.contains(name),
            "{name}: the file is named: {}",
            excerpt(&stderr, 600)
        );
    }
}

#[test]
fn the_step_budget_stops_a_runaway_loop() {
    let text = "let f = n: if n == 0 then 0 else f (n - 1); in f 100000000\n";
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "loop.nix", text);
    let ran = envc_eval(dir.path(), "loop.nix", &["--max-eval-steps", "10000"]);
    assert_refused(&ran, "evaluation exceeded 10000 steps", "loop.nix:1:");
    assert!(
        ran.stderr.contains("called from loop.nix:1:"),
        "{}",
        excerpt(&ran.stderr, 600)
    );
}
