//! One verification result: a named check, whether it passed, and what it found.

use serde::Serialize;

use crate::rootfs::{Aspect, Difference};

/// The outcome of one check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked, e.g. `key integrity` or `content integrity (docker)`.
    pub name: String,
    pub passed: bool,
    /// One line each: what was compared, or what is wrong and where.
    pub details: Vec<String>,
}

impl Check {
    pub fn pass(name: impl Into<String>, details: Vec<String>) -> Self {
        Check {
            name: name.into(),
            passed: true,
            details,
        }
    }

    pub fn fail(name: impl Into<String>, details: Vec<String>) -> Self {
        Check {
            name: name.into(),
            passed: false,
            details,
        }
    }
}

/// How many differing paths a check lists before summarising the rest.
pub const SHOWN_DIFFERENCES: usize = 50;

/// One line per differing path: `/path: content differs; mode 0644 (left) vs 0755 (right)`,
/// with `left` and `right` named by the caller.
pub fn describe_differences(diffs: &[Difference], left: &str, right: &str) -> Vec<String> {
    let mut lines: Vec<String> = diffs
        .iter()
        .take(SHOWN_DIFFERENCES)
        .map(|d| {
            let aspects: Vec<String> = d
                .aspects
                .iter()
                .map(|a| match a {
                    Aspect::OnlyLeft => format!("only in {left}"),
                    Aspect::OnlyRight => format!("only in {right}"),
                    Aspect::Type { left: l, right: r } => {
                        format!("type {l} ({left}) vs {r} ({right})")
                    }
                    Aspect::Mode { left: l, right: r } => {
                        format!("mode {l} ({left}) vs {r} ({right})")
                    }
                    Aspect::Owner { left: l, right: r } => {
                        format!("owner {l} ({left}) vs {r} ({right})")
                    }
                    Aspect::Content => "content differs".to_owned(),
                    Aspect::LinkTarget { left: l, right: r } => {
                        format!("link target `{l}` ({left}) vs `{r}` ({right})")
                    }
                    Aspect::Device => "device numbers differ".to_owned(),
                })
                .collect();
            format!("{}: {}", d.path, aspects.join("; "))
        })
        .collect();
    if diffs.len() > SHOWN_DIFFERENCES {
        lines.push(format!(
            "… and {} more differing paths",
            diffs.len() - SHOWN_DIFFERENCES
        ));
    }
    lines
}
