//! The volatile paths the rootfs digest leaves out, each with the reason.
//!
//! The list is short on purpose: every entry is a place where a Docker export and a SIF
//! of the same image, or two builds from the same inputs, legitimately differ. Anything
//! excluded is returned in the listing and shown by `envc digest`, never dropped silently.

use serde::Serialize;

/// What part of the tree a rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The path itself and everything under it.
    Tree,
    /// Only what is under the path; the directory itself still counts.
    Contents,
    /// Only the path itself; what is under it still counts.
    Itself,
}

/// One exclusion rule.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Exclusion {
    /// Relative path, no leading slash.
    pub path: &'static str,
    pub scope: Scope,
    pub reason: &'static str,
}

pub const EXCLUSIONS: &[Exclusion] = &[
    Exclusion {
        path: ".dockerenv",
        scope: Scope::Tree,
        reason: "created by the Docker engine in every container; not part of the image",
    },
    Exclusion {
        path: "etc/mtab",
        scope: Scope::Tree,
        reason: "the Docker engine adds it to every container (a link to /proc/mounts)",
    },
    Exclusion {
        path: "etc/hostname",
        scope: Scope::Tree,
        reason: "bind-mount target the engine writes per container",
    },
    Exclusion {
        path: "etc/hosts",
        scope: Scope::Tree,
        reason: "bind-mount target the engine writes per container; Apptainer empties it",
    },
    Exclusion {
        path: "etc/resolv.conf",
        scope: Scope::Tree,
        reason: "bind-mount target the engine writes per container; Apptainer empties it",
    },
    Exclusion {
        path: ".singularity.d",
        scope: Scope::Tree,
        reason: "Apptainer's metadata tree, only in the SIF",
    },
    Exclusion {
        path: "singularity",
        scope: Scope::Tree,
        reason: "Apptainer's runscript link, only in the SIF",
    },
    Exclusion {
        path: ".exec",
        scope: Scope::Tree,
        reason: "Apptainer's action link, only in the SIF",
    },
    Exclusion {
        path: ".run",
        scope: Scope::Tree,
        reason: "Apptainer's action link, only in the SIF",
    },
    Exclusion {
        path: ".shell",
        scope: Scope::Tree,
        reason: "Apptainer's action link, only in the SIF",
    },
    Exclusion {
        path: ".test",
        scope: Scope::Tree,
        reason: "Apptainer's action link, only in the SIF",
    },
    Exclusion {
        path: "environment",
        scope: Scope::Tree,
        reason: "Apptainer's environment link, only in the SIF",
    },
    Exclusion {
        path: "dev",
        scope: Scope::Tree,
        reason: "device mount point, populated by the runtime (Docker adds console, pts, shm)",
    },
    Exclusion {
        path: "proc",
        scope: Scope::Tree,
        reason: "kernel mount point, populated by the runtime",
    },
    Exclusion {
        path: "sys",
        scope: Scope::Tree,
        reason: "kernel mount point, populated by the runtime",
    },
    Exclusion {
        path: "etc",
        scope: Scope::Itself,
        reason: "mount point Apptainer needs; the SIF adds it where the image has none",
    },
    Exclusion {
        path: "home",
        scope: Scope::Itself,
        reason: "mount point Apptainer needs; the SIF adds it where the image has none",
    },
    Exclusion {
        path: "root",
        scope: Scope::Itself,
        reason: "mount point Apptainer needs; the SIF adds it where the image has none",
    },
    Exclusion {
        path: "tmp",
        scope: Scope::Itself,
        reason: "mount point Apptainer needs; the SIF adds it where the image has none",
    },
    Exclusion {
        path: "var",
        scope: Scope::Itself,
        reason: "parent of the `/var/tmp` mount point, which the SIF adds where the image has none",
    },
    Exclusion {
        path: "var/tmp",
        scope: Scope::Itself,
        reason: "mount point Apptainer needs; the SIF adds it where the image has none",
    },
    Exclusion {
        path: "var/lib/apt/lists",
        scope: Scope::Contents,
        reason: "package indexes fetched from the mirror; change whenever the mirror does",
    },
    Exclusion {
        path: "var/cache/apt",
        scope: Scope::Contents,
        reason: "apt's binary caches, regenerated with build-time contents",
    },
    Exclusion {
        path: "var/log",
        scope: Scope::Contents,
        reason: "logs hold the time of the build",
    },
    Exclusion {
        path: "var/cache/ldconfig/aux-cache",
        scope: Scope::Tree,
        reason: "ldconfig's cache records inode numbers and mtimes of libraries",
    },
];

/// An entry left out of the digest, and the rule that left it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    pub path: String,
    pub rule: &'static str,
}

/// The rule that excludes `path` (relative, no leading slash), if any.
pub fn excluded_by(path: &[u8]) -> Option<&'static Exclusion> {
    EXCLUSIONS.iter().find(|rule| {
        let prefix = rule.path.as_bytes();
        let below =
            path.len() > prefix.len() && path.starts_with(prefix) && path[prefix.len()] == b'/';
        match rule.scope {
            Scope::Tree => path == prefix || below,
            Scope::Contents => below,
            Scope::Itself => path == prefix,
        }
    })
}

/// Check `path` against the rules; record it in `excluded` when a rule matches.
pub(crate) fn check(path: &[u8], excluded: &mut Vec<Excluded>) -> bool {
    match excluded_by(path) {
        Some(rule) => {
            excluded.push(Excluded {
                path: format!("/{}", String::from_utf8_lossy(path)),
                rule: rule.path,
            });
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_trees_and_contents() {
        assert!(excluded_by(b"dev").is_some());
        assert!(excluded_by(b"dev/console").is_some());
        assert!(excluded_by(b"device").is_none());
        assert!(excluded_by(b"var/log").is_none());
        assert!(excluded_by(b"var/log/dpkg.log").is_some());
        assert!(excluded_by(b".singularity.d/env/90-environment.sh").is_some());
        assert!(excluded_by(b"etc/hostname").is_some());
        assert!(excluded_by(b"etc/hostname.d").is_none());
        assert!(excluded_by(b"etc/passwd").is_none());
        assert!(excluded_by(b"home").is_some());
        assert!(excluded_by(b"home/user/.bashrc").is_none());
    }
}
