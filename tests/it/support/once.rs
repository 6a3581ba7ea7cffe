//! Build a shared test fixture once per machine, even with parallel test threads and
//! parallel test processes: check, take a file lock, check again, build.
#![allow(dead_code)]

use std::fs::File;
use std::path::PathBuf;

/// Where fixtures and their locks live (under `target/`, shared by every test run).
pub fn cache_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("envc-fixtures");
    std::fs::create_dir_all(&dir).expect("create the fixture cache directory");
    dir
}

/// Hold an exclusive lock named `name` while `f` runs.
pub fn locked<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let path = cache_dir().join(format!("{}.lock", sanitize(name)));
    let file = File::create(&path).expect("create a fixture lock file");
    file.lock().expect("lock the fixture lock file");
    let result = f();
    // Unlocked when `file` is dropped, also when `f` panics.
    drop(file);
    result
}

/// A fixture made at most once per test process: the first caller runs `make`, every later
/// one gets its result (an error too, so a missing tool is reported once, not retried).
pub fn memo(
    cell: &std::sync::Mutex<Option<Result<String, String>>>,
    make: impl FnOnce() -> Result<String, String>,
) -> Result<String, String> {
    let mut made = cell.lock().unwrap_or_else(|e| e.into_inner());
    made.get_or_insert_with(make).clone()
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
