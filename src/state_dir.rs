//! The project's state folder `.envc/` and the one way files in it (and the files a user
//! shares, such as `envc.lock`) are written.
//!
//! Two rules, both from reading envc's output on shared machines (issue 15, class 5):
//! - `.envc/` always carries a `.gitignore` of `*`, whichever command created the folder
//!   first, so that run state never reaches a commit.
//! - A file's mode says who it is for. [`Audience::Shared`] files (`envc.lock`,
//!   `status.json`, `events.jsonl`, emitted files, the stat cache) get the mode the umask
//!   gives a new file, as `touch` would: a job scheduler or a colleague reads them. A
//!   temporary file is 0600 by default, which made `status.json` unreadable to the scheduler
//!   and, after `sudo envc lock`, `envc.lock` unreadable to the project's owner.
//!   [`Audience::Private`] files (what `envc up` started, with host paths and the user's
//!   identity) are 0600 whatever the umask.
//!
//! No file envc writes holds a secret value: proxy URLs, `pass_env` values and `{env:NAME}`
//! results are resolved from the environment at start and recorded by name only.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// The state folder's name under a project root.
pub const DIR: &str = ".envc";

/// What the `.gitignore` in `.envc/` says: nothing in it belongs in version control.
const GITIGNORE: &str = "*\n";

pub use crate::content::Audience;

/// `<root>/.envc`.
pub fn path(root: &Path) -> PathBuf {
    root.join(DIR)
}

/// Create `dir` (a `.envc` folder) if needed, and its `.gitignore` if it is missing.
pub fn ensure(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let ignore = dir.join(".gitignore");
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&ignore)
    {
        Ok(mut file) => file.write_all(GITIGNORE.as_bytes()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Create the folder `path` is written to: when it is in a `.envc` folder, through
/// [`ensure`] so the `.gitignore` comes with it; plainly otherwise (`--events FILE`).
pub fn ensure_parent(path: &Path) -> io::Result<()> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if let Some(state) = dir
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == DIR))
    {
        ensure(state)?;
    }
    fs::create_dir_all(dir)
}

/// Write `bytes` to `path` atomically with the mode `audience` asks for
/// ([`crate::content::write_for`]), its folder made through [`ensure_parent`].
pub fn write_atomically(path: &Path, bytes: &[u8], audience: Audience) -> io::Result<()> {
    ensure_parent(path)?;
    crate::content::write_for(path, bytes, audience)
}

/// Open `path` for appending (events), creating it with the umask's mode and its folder
/// through [`ensure_parent`].
pub fn open_append(path: &Path) -> io::Result<fs::File> {
    ensure_parent(path)?;
    fs::OpenOptions::new().create(true).append(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_state_folder_always_gets_its_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let state = path(dir.path());
        // Created by someone else first (an older envc, `mkdir`): still gets one.
        fs::create_dir_all(&state).unwrap();
        write_atomically(&state.join("status.json"), b"{}", Audience::Shared).unwrap();
        assert_eq!(
            fs::read_to_string(state.join(".gitignore")).unwrap(),
            GITIGNORE
        );
        // A user's own `.gitignore` is left alone.
        fs::write(state.join(".gitignore"), "mine\n").unwrap();
        ensure(&state).unwrap();
        assert_eq!(
            fs::read_to_string(state.join(".gitignore")).unwrap(),
            "mine\n"
        );
    }

    #[test]
    fn private_files_are_0600_and_replacing_keeps_the_content_atomic() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".envc/run/default.up.json");
        write_atomically(&file, b"one", Audience::Private).unwrap();
        assert_eq!(mode(&file), 0o600);
        write_atomically(&file, b"two", Audience::Private).unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(file.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().starts_with(".envc-write-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
