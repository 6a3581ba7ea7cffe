//! One verification result: a named check, whether it passed, and what it found.

use serde::Serialize;

use crate::build::cache::image_tag;
use crate::plan::Plan;
use crate::rootfs::{Aspect, Difference, Listing, diff};

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

/// The check `name` comparing envc's files with another builder's (`other`, named `what`
/// in the details): pass when the rootfs digests agree, else fail listing the paths.
pub fn compare(name: &str, envc: &Listing, other: &Listing, what: &str) -> Check {
    let (ours, theirs) = (envc.digest(), other.digest());
    if ours == theirs {
        return Check::pass(name, vec![format!("envc and {what}: both {ours}")]);
    }
    let mut details = vec![format!("envc's image gives {ours}, {what} {theirs}")];
    details.extend(describe_differences(
        &diff(&envc.entries, &other.entries),
        "envc",
        what,
    ));
    Check::fail(name, details)
}

/// The check `name` failing because envc's finished image of `plan` is not built, so a
/// cross-builder comparison has nothing to compare with.
pub fn not_built(name: &str, plan: &Plan) -> Check {
    let reference = image_tag(&plan.image_name(), &plan.key());
    Check::fail(
        name,
        vec![format!(
            "`{reference}` is not built: nothing to compare with (run `envc build`)"
        )],
    )
}

/// The last `count` lines of a tool's output, indented, for a check's details.
pub fn output_tail(output: &[u8], count: usize) -> Vec<String> {
    let text = String::from_utf8_lossy(output);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(count)..]
        .iter()
        .map(|l| format!("  {l}"))
        .collect()
}
