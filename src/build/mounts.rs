//! Mount points left below a folder, and taking them down before the folder is deleted.
//!
//! debootstrap mounts `/proc` and `/sys` into its target while it runs (and, inside
//! containers, bind-mounts the host's `/dev`). Killed or failed part-way, it can leave them
//! mounted; deleting its folder would then walk into the host's `/proc`, `/sys` or `/dev`.
//! [`unmount_below`] detaches every mount under a folder, deepest first, and says whether
//! the folder is free of mounts, so callers delete it only then.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Mount points at or below `dir`, deepest first (from `/proc/self/mountinfo`).
pub fn mounted_below(dir: &Path) -> Vec<PathBuf> {
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = info
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|field| PathBuf::from(unescape(field)))
        .filter(|point| point.starts_with(dir))
        .collect();
    found.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    found.dedup();
    found
}

/// A temporary folder for debootstrap that is deleted only once nothing is mounted in it
/// (otherwise it is kept, with a warning naming it).
pub struct BootstrapDir(Option<tempfile::TempDir>);

impl BootstrapDir {
    pub fn new(dir: tempfile::TempDir) -> Self {
        BootstrapDir(Some(dir))
    }

    pub fn path(&self) -> &Path {
        self.0.as_ref().expect("present until dropped").path()
    }
}

impl Drop for BootstrapDir {
    fn drop(&mut self) {
        let Some(dir) = self.0.take() else { return };
        if !unmount_below(dir.path()) {
            let kept = dir.keep();
            tracing::warn!(
                "kept `{}`: something is still mounted in it; unmount it, then delete it",
                kept.display()
            );
        }
    }
}

/// Detach every mount at or below `dir`; true when none is left.
pub fn unmount_below(dir: &Path) -> bool {
    for point in mounted_below(dir) {
        tracing::warn!("unmounting `{}` left by debootstrap", point.display());
        let _ = Command::new("umount")
            .arg("-l")
            .arg(&point)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    mounted_below(dir).is_empty()
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo` octal.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let code = bytes
            .get(i + 1..i + 4)
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .and_then(|digits| u8::from_str_radix(digits, 8).ok());
        if bytes[i] == b'\\'
            && let Some(code) = code
        {
            out.push(code);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_escapes_are_undone() {
        assert_eq!(unescape(r"/var/tmp/a\040b/rootfs"), "/var/tmp/a b/rootfs");
        assert_eq!(unescape(r"/plain"), "/plain");
        assert_eq!(unescape(r"/x\\"), r"/x\\");
    }

    #[test]
    fn a_folder_without_mounts_has_none_below() {
        let dir = tempfile::tempdir().unwrap();
        assert!(mounted_below(dir.path()).is_empty());
        assert!(unmount_below(dir.path()));
    }

    #[test]
    fn the_root_has_mounts_below_it() {
        assert!(!mounted_below(Path::new("/")).is_empty());
    }
}
