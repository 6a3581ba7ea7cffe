//! What differs between two listings, path by path, for `verify --rebuild` and `--cross`.

use serde::Serialize;

use super::entry::Entry;

/// One way two entries at the same path can differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aspect {
    /// Present only on the left or only on the right.
    OnlyLeft,
    OnlyRight,
    Type {
        left: String,
        right: String,
    },
    Mode {
        left: String,
        right: String,
    },
    Owner {
        left: String,
        right: String,
    },
    Content,
    LinkTarget {
        left: String,
        right: String,
    },
    Device,
}

/// A path whose entries differ, and every way they do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub path: String,
    pub aspects: Vec<Aspect>,
}

/// Compare two sorted entry lists (as in a [`super::Listing`]).
pub fn diff(left: &[Entry], right: &[Entry]) -> Vec<Difference> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < left.len() || j < right.len() {
        let order = match (left.get(i), right.get(j)) {
            (Some(a), Some(b)) => a.path.cmp(&b.path),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                out.push(Difference {
                    path: left[i].display_path(),
                    aspects: vec![Aspect::OnlyLeft],
                });
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(Difference {
                    path: right[j].display_path(),
                    aspects: vec![Aspect::OnlyRight],
                });
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let aspects = compare(&left[i], &right[j]);
                if !aspects.is_empty() {
                    out.push(Difference {
                        path: left[i].display_path(),
                        aspects,
                    });
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn compare(a: &Entry, b: &Entry) -> Vec<Aspect> {
    let mut aspects = Vec::new();
    if a.kind != b.kind {
        aspects.push(Aspect::Type {
            left: a.kind.name().into(),
            right: b.kind.name().into(),
        });
    }
    if a.mode != b.mode {
        aspects.push(Aspect::Mode {
            left: format!("{:04o}", a.mode),
            right: format!("{:04o}", b.mode),
        });
    }
    if (a.uid, a.gid) != (b.uid, b.gid) {
        aspects.push(Aspect::Owner {
            left: format!("{}:{}", a.uid, a.gid),
            right: format!("{}:{}", b.uid, b.gid),
        });
    }
    if a.kind == b.kind && (a.size, a.sha256) != (b.size, b.sha256) {
        aspects.push(Aspect::Content);
    }
    if a.link != b.link {
        let show = |l: &Option<Vec<u8>>| {
            l.as_deref()
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .unwrap_or_default()
        };
        aspects.push(Aspect::LinkTarget {
            left: show(&a.link),
            right: show(&b.link),
        });
    }
    if a.device != b.device {
        aspects.push(Aspect::Device);
    }
    aspects
}

impl std::fmt::Display for Aspect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Aspect::OnlyLeft => write!(f, "only on the left"),
            Aspect::OnlyRight => write!(f, "only on the right"),
            Aspect::Type { left, right } => write!(f, "type {left} → {right}"),
            Aspect::Mode { left, right } => write!(f, "mode {left} → {right}"),
            Aspect::Owner { left, right } => write!(f, "owner {left} → {right}"),
            Aspect::Content => write!(f, "content"),
            Aspect::LinkTarget { left, right } => write!(f, "link target {left} → {right}"),
            Aspect::Device => write!(f, "device number"),
        }
    }
}
