//! Reading the config file a user named (`-f FILE`) or envc found: what it really is.
//!
//! `-f` takes any path, so the entry file may be a device (`/dev/zero` never ends), a FIFO
//! (a read blocks until someone writes), a folder, a symlink loop or a file of arbitrary
//! bytes. Each gets its real cause (exit 2), not "no such file", and is refused before the
//! evaluator reads it: only a regular file of bounded size, in UTF-8, is a config. Bytes
//! that are not UTF-8 are reported at their line and column.

use std::io;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use super::error::{ErrorKind, SpecError};
use crate::source::{SourceFile, Span};

/// The largest config envc reads: far above any real one, far below what hurts.
pub const MAX_BYTES: u64 = 16 << 20;

/// Check that `path` is a config file envc can read, and read it.
pub fn read(path: &Path, name: &str) -> Result<String, SpecError> {
    let refuse = |source: io::Error, help: &str| {
        SpecError::new(ErrorKind::Read {
            path: path.to_path_buf(),
            source,
        })
        .help(help)
    };
    let meta = std::fs::metadata(path).map_err(|e| match e.raw_os_error() {
        Some(libc::ELOOP) => refuse(
            io::Error::other("it is a symlink loop (too many levels of symbolic links)"),
            "point `-f` at the config file itself, or fix the symlink",
        ),
        _ if e.kind() == io::ErrorKind::NotFound => refuse(
            io::Error::new(io::ErrorKind::NotFound, "no such file"),
            "name an existing `envc.nix` or `envc.json` with `-f FILE`",
        ),
        _ => refuse(e, "check the file's permissions"),
    })?;
    let ty = meta.file_type();
    let what = if ty.is_dir() {
        Some("a folder")
    } else if ty.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if ty.is_char_device() {
        Some("a character device")
    } else if ty.is_block_device() {
        Some("a block device")
    } else if ty.is_socket() {
        Some("a socket")
    } else {
        None
    };
    if let Some(what) = what {
        return Err(refuse(
            io::Error::other(format!("it is {what}, not a regular file")),
            "a config is a regular `.nix` or `.json` file; name it with `-f FILE`",
        ));
    }
    if meta.len() > MAX_BYTES {
        return Err(refuse(
            io::Error::other(format!(
                "it is {} bytes, more than a config may be ({MAX_BYTES} bytes)",
                meta.len()
            )),
            "a config describes an environment; data belongs in `build.files`",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| refuse(e, "check the file's permissions"))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bad = e.utf8_error().error_len().unwrap_or(1);
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The text before the first bad byte is the same in the lossy copy, so the
            // offset is right; the bad bytes are one replacement character there.
            let file = SourceFile::new(name, path, text);
            let span = Span::new(file, at..at + '\u{fffd}'.len_utf8());
            Err(SpecError::new(ErrorKind::Syntax {
                message: format!(
                    "the config is not valid UTF-8: {bad} byte(s) that are no UTF-8 character"
                ),
            })
            .at(Some(&span), "not UTF-8")
            .help("save the file as UTF-8; a config holds text only"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: &SpecError) -> String {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    }

    #[test]
    fn devices_fifos_folders_and_loops_say_what_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.nix");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let a = dir.path().join("a.nix");
        let b = dir.path().join("b.nix");
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        for (path, cause) in [
            (Path::new("/dev/zero"), "character device"),
            (fifo.as_path(), "FIFO"),
            (dir.path(), "a folder"),
            (a.as_path(), "symlink loop"),
            (&dir.path().join("missing.nix"), "no such file"),
        ] {
            let e = read(path, "x").unwrap_err();
            assert!(message(&e).contains(cause), "{path:?}: {}", message(&e));
        }
    }

    #[test]
    fn invalid_utf8_gets_its_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("envc.json");
        std::fs::write(&path, b"{\n  \"name\": \"a\xff\"\n}\n").unwrap();
        let e = read(&path, "envc.json").unwrap_err();
        let (span, _) = e.at.as_ref().unwrap();
        assert_eq!(span.location(), "envc.json:2:13");
    }
}
