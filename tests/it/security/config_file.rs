//! Issue 15, class 10 (the config file itself): `-f /dev/zero`, a FIFO or a symlink loop
//! said "no such file" (or would read forever), and a config with bytes that are not UTF-8
//! got no position. Each is exit 2 with its real cause; bad UTF-8 gets `file:line:col`.

use std::path::Path;

use crate::support::envc;

fn check(dir: &Path, file: &Path) -> crate::support::Run {
    envc()
        .current_dir(dir)
        .args(["check", "-f"])
        .arg(file)
        .run()
}

#[test]
fn devices_fifos_and_symlink_loops_are_refused_with_their_real_cause() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("envc.nix");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let loop_a = dir.path().join("a.json");
    let loop_b = dir.path().join("b.json");
    std::os::unix::fs::symlink(&loop_b, &loop_a).unwrap();
    std::os::unix::fs::symlink(&loop_a, &loop_b).unwrap();
    for (file, cause) in [
        (Path::new("/dev/zero"), "character device"),
        (fifo.as_path(), "FIFO"),
        (loop_a.as_path(), "symlink loop"),
    ] {
        // A read of `/dev/zero` or of the FIFO would never end: the test ends, so envc
        // did not read them.
        let out = check(dir.path(), file);
        assert_eq!(out.code(), 2, "{file:?}: {}", out.stderr());
        assert!(out.stderr().contains(cause), "{file:?}: {}", out.stderr());
        assert!(!out.stderr().contains("no such file"), "{}", out.stderr());
        assert!(!out.stderr().contains("panicked"), "{}", out.stderr());
    }
    let missing = check(dir.path(), &dir.path().join("missing.nix"));
    assert_eq!(missing.code(), 2);
    assert!(
        missing.stderr().contains("no such file"),
        "{}",
        missing.stderr()
    );
}

#[test]
fn invalid_utf8_is_refused_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        (
            "envc.json",
            &b"{\n  \"name\": \"demo\",\n  \"description\": \"caf\xe9\"\n}\n"[..],
        ),
        (
            "envc.nix",
            &b"{\n  name = \"demo\";\n  description = \"caf\xe9\";\n}\n"[..],
        ),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = check(dir.path(), &file);
        assert_eq!(out.code(), 2, "{}", out.stderr());
        assert!(out.stderr().contains("not valid UTF-8"), "{}", out.stderr());
        let line = if name.ends_with(".json") {
            ":3:22"
        } else {
            ":3:21"
        };
        assert!(
            out.stderr().contains(&format!("{name}{line}")),
            "{name}: {}",
            out.stderr()
        );
        assert!(out.stderr().contains("help"), "{}", out.stderr());
        std::fs::remove_file(&file).unwrap();
    }
}
