//! schema/nixd-options.nix (the options file for nixd users) evaluates to option declarations
//! for every field of the committed schema, under envc's evaluator and under real Nix.

use crate::support;

fn check(options: &serde_json::Value, by: &str) {
    let apt = &options["build"]["apt"];
    assert_eq!(apt["_type"], "option", "{by}: {apt}");
    assert!(
        apt["description"].as_str().is_some_and(|d| !d.is_empty()),
        "{by}: {apt}"
    );
    assert_eq!(apt["type"]["name"], "list of AptPackage", "{by}: {apt}");
    assert_eq!(options["run"]["user"]["mode"]["default"], "host", "{by}");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(support::repo_root().join("schema/envc.schema.json")).unwrap(),
    )
    .unwrap();
    for field in schema["properties"].as_object().unwrap().keys() {
        if field != "$schema" {
            assert!(options.get(field).is_some(), "{by}: `{field}` missing");
        }
    }
}

#[test]
fn nixd_options_declare_every_field() {
    let file = support::repo_root().join("schema/nixd-options.nix");
    let out = support::envc()
        .args(["eval", "--json"])
        .arg(&file)
        .run()
        .ok();
    check(&serde_json::from_str(&out).unwrap(), "envc eval");
    if !support::require(
        "nix-instantiate (Debian `nix-bin`)",
        support::have_command("nix-instantiate"),
    ) {
        return;
    }
    let out = std::process::Command::new("nix-instantiate")
        .args(["--store", "dummy://", "--eval", "--strict", "--json"])
        .arg(&file)
        .env_remove("NIX_PATH")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check(
        &serde_json::from_slice(&out.stdout).unwrap(),
        "nix-instantiate",
    );
}
