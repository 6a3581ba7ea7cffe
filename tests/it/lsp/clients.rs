//! Real LSP clients against the real binary. A missing client (pytest-lsp in `.tools/venv`,
//! `nvim`) skips loudly, and fails under `CI=true`.

use std::path::PathBuf;
use std::process::Command;

use crate::support;

fn venv_python() -> Option<PathBuf> {
    let python = support::repo_root().join(".tools/venv/bin/python");
    let ok = !support::offline()
        && Command::new(&python)
            .args(["-c", "import pytest_lsp, pytest_asyncio"])
            .output()
            .is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

#[test]
fn pytest_lsp_drives_every_capability() {
    let python = venv_python();
    if !support::require(
        "pytest-lsp in .tools/venv (run scripts/setup)",
        python.is_some(),
    ) {
        return;
    }
    let root = support::repo_root();
    let out = Command::new(python.unwrap())
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(root.join("tests/lsp"))
        .env("ENVC_BIN", env!("CARGO_BIN_EXE_envc"))
        .current_dir(root.join("tests/lsp"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pytest-lsp failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" passed"), "{stdout}");
}

#[test]
fn headless_neovim_reads_diagnostics_completion_and_hover() {
    if !support::require(
        "nvim (Debian `neovim`, scripts/setup)",
        support::have_command("nvim"),
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("envc.nix");
    let text = "{ lib, ... }: {\n  name = \"demo\";\n  base.image = \"debian:bookworm\";\n  build = { aptt = [ \"git\" ]; };\n  run.user.mode = \"host\";\n}\n";
    std::fs::write(&file, text).unwrap();
    let out_file = dir.path().join("nvim-out.json");
    let out = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-c"])
        .arg(format!(
            "luafile {}",
            support::repo_root()
                .join("tests/lsp/nvim_client.lua")
                .display()
        ))
        .env("ENVC_BIN", env!("CARGO_BIN_EXE_envc"))
        .env("ENVC_NVIM_FILE", &file)
        .env("ENVC_NVIM_OUT", &out_file)
        // After `build = { ` on line 4, and on `mode` on line 5 (0-based).
        .env("ENVC_NVIM_COMPLETE", "3:12")
        .env("ENVC_NVIM_HOVER", "4:13")
        .env("XDG_CONFIG_HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .output()
        .unwrap();
    let result = std::fs::read_to_string(&out_file).unwrap_or_else(|_| {
        panic!(
            "nvim wrote no result:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let result: serde_json::Value = serde_json::from_str(&result).unwrap();
    assert!(result.get("error").is_none(), "{result:#}");
    let diagnostic = &result["diagnostics"][0];
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `aptt`"),
        "{result:#}"
    );
    assert_eq!(diagnostic["lnum"], 3, "{result:#}");
    assert_eq!(diagnostic["col"], 12, "{result:#}");
    assert_eq!(diagnostic["end_col"], 16, "{result:#}");
    let labels: Vec<&str> = result["completion"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    for field in ["apt", "pip", "files", "steps"] {
        assert!(labels.contains(&field), "{field} not in {labels:?}");
    }
    let hover = result["hover"].as_str().unwrap();
    assert!(hover.contains("`run.user.mode`"), "{hover}");
    // The transcript the README shows.
    eprintln!("neovim saw:\n{result:#}");
}
