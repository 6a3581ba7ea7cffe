//! Control characters in config text (issue 15, item 10): NUL and ESC/OSC sequences in env
//! values and descriptions were accepted and printed raw. They are refused where they cannot
//! be meant, and nothing envc prints about them holds them raw.

use serde_json::json;

use crate::build::project::Project;
use crate::support::envc;

fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect()
}

#[test]
fn nul_esc_osc_and_c1_are_refused_and_never_echoed_raw() {
    for (extra, fragment) in [
        (
            json!({ "description": "\u{1b}]0;owned\u{7}\u{1b}[2J" }),
            "contains an ESC character",
        ),
        (
            json!({ "run": { "env": { "X": "a\u{0}b" } } }),
            "contains a NUL character",
        ),
        (
            json!({ "build": { "env": { "X": "\u{1b}]52;c;cGF5bG9hZA==\u{7}" } } }),
            "contains an ESC character",
        ),
        (json!({ "run": { "env": { "X": "\u{9b}2J" } } }), "U+009B"),
        (
            json!({ "build": { "labels": { "org.example.note": "\u{1b}[8m" } } }),
            "contains an ESC character",
        ),
        (
            json!({ "build": { "steps": [{ "name": "build\u{1b}[1A", "run": "true" }] } }),
            "contains an ESC character",
        ),
    ] {
        let mut config = json!({ "name": "ctl", "base": { "image": "debian:bookworm" } });
        config
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let project = Project::new(&config);
        let check = envc().current_dir(project.path()).arg("check").run();
        assert_eq!(check.code(), 2, "{}", check.stderr());
        assert!(check.stderr().contains(fragment), "{}", check.stderr());
        assert_eq!(
            raw_controls(&check.stderr()),
            Vec::<char>::new(),
            "{:?}",
            check.stderr()
        );
    }
}

#[test]
fn a_raw_esc_in_the_config_file_is_hidden_in_the_snippet() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("envc.nix"),
        "{ name = \"ctl\"; base.image = \"debian:bookworm\";\n  description = \"\u{1b}]0;owned\u{7}\"; }\n",
    )
    .unwrap();
    let check = envc().current_dir(dir.path()).arg("check").run();
    assert_eq!(check.code(), 2, "{}", check.stderr());
    assert!(check.stderr().contains("envc.nix:2:"), "{}", check.stderr());
    assert_eq!(
        raw_controls(&check.stderr()),
        Vec::<char>::new(),
        "{:?}",
        check.stderr()
    );
}

#[test]
fn scripts_and_file_texts_keep_their_escapes() {
    // A script or a file's text may mean a raw ESC (a coloured prompt); only NUL is refused.
    let project = Project::new(&json!({
        "name": "ctl",
        "base": { "image": "debian:bookworm" },
        "build": {
            "files": { "/etc/motd": { "text": "\u{1b}[1mwelcome\u{1b}[0m\n" } },
            "steps": [{ "run": "printf '\u{1b}[0m'" }],
        },
    }));
    let check = envc().current_dir(project.path()).arg("check").run();
    assert_eq!(check.code(), 0, "{}", check.stderr());
    let show = envc()
        .current_dir(project.path())
        .args(["show", "--json"])
        .run();
    assert_eq!(show.code(), 0, "{}", show.stderr());
    assert_eq!(
        raw_controls(&show.stdout()),
        Vec::<char>::new(),
        "JSON escapes them"
    );
}
