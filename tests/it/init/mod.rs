//! `envc init`: the Dockerfile parser against BuildKit's, the .def reader against spython,
//! real project shapes, Dev Containers round trips, and hostile inputs.

mod apptainer_oracle;
mod devcontainer;
mod dockerfile_oracle;
mod hostile;
mod projects;

use std::path::{Path, PathBuf};

use crate::support;

/// `tests/init/NAME`.
pub fn fixture(name: &str) -> PathBuf {
    support::repo_root().join("tests/init").join(name)
}

/// The Python of `.tools/venv` (scripts/setup), when it has `module`.
pub fn venv_python(module: &str) -> Option<PathBuf> {
    if support::offline() {
        return None;
    }
    let python = support::repo_root().join(".tools/venv/bin/python");
    let ok = std::process::Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

/// Copy the folder `from` (recursively) into `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `envc init` in `dir` (extra arguments after), asserting success.
pub fn init(dir: &Path, args: &[&str]) -> String {
    support::envc()
        .current_dir(dir)
        .arg("init")
        .args(args)
        .run()
        .ok()
}

/// `envc show --json` of the config in `dir`.
pub fn show(dir: &Path) -> serde_json::Value {
    let out = support::envc()
        .current_dir(dir)
        .args(["show", "--json"])
        .run()
        .ok();
    serde_json::from_str(&out).expect("show --json prints JSON")
}
