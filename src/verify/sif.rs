//! The cached SIF of a plan: its partition's files against its envc metadata (content
//! integrity), and against the Docker image's (cross-target).
//!
//! A SIF whose partition bytes were changed either no longer parses as squashfs (the
//! object is named) or gives another digest than its metadata records.

use std::fs::File;
use std::path::Path;

use crate::plan::Plan;
use crate::rootfs::{Listing, diff};
use crate::sif::SifImage;
use crate::sif::list_sif;
use crate::sif::metadata::read_metadata;

use super::Check;
use super::check::describe_differences;

/// The SIF checks of `plan` when its SIF is cached: content integrity, then cross-target
/// against `docker` (the Docker image's listing, when it exists). Empty when no SIF.
pub fn checks(plan: &Plan, docker: Option<&Listing>) -> Vec<Check> {
    let path = super::sif_path(&plan.key());
    if !path.exists() {
        return Vec::new();
    }
    let (content, listing) = content(plan, &path);
    let mut checks = vec![content];
    if let (Some(sif), Some(docker)) = (listing, docker) {
        checks.push(cross(&path, &sif, docker));
    }
    checks
}

fn content(plan: &Plan, path: &Path) -> (Check, Option<Listing>) {
    let name = "content integrity (sif)";
    let shown = path.display();
    let fail = |line: String| (Check::fail(name, vec![line]), None);
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return fail(format!("cannot open `{shown}`: {e}")),
    };
    let image = match SifImage::read(&mut file) {
        Ok(i) => i,
        Err(e) => return fail(format!("`{shown}` is not a readable SIF: {e}")),
    };
    let partition = image
        .primary_partition()
        .map(|o| format!("object {} (primary system partition)", o.id))
        .unwrap_or_else(|| "the primary partition".to_owned());
    let metadata = match read_metadata(&image, &mut file) {
        Ok(Some(Ok(m))) => m,
        Ok(Some(Err(e))) => return fail(format!("`{shown}`: envc metadata is corrupt: {e}")),
        Ok(None) => return fail(format!("`{shown}` has no envc metadata")),
        Err(e) => return fail(format!("`{shown}`: cannot read envc metadata: {e}")),
    };
    let key = plan.key().hex();
    if metadata.plan_key.trim_start_matches("sha256:") != key {
        return fail(format!(
            "`{shown}` records key `{}` but its inputs give `{key}`",
            metadata.plan_key
        ));
    }
    let listing = match list_sif(path) {
        Ok(l) => l,
        Err(e) => return fail(format!("`{shown}`: {partition} cannot be read: {e}")),
    };
    let digest = listing.digest();
    if digest != metadata.rootfs_digest {
        return (
            Check::fail(
                name,
                vec![format!(
                    "`{shown}`: {partition} holds other files than recorded: recorded {}, found {digest}",
                    metadata.rootfs_digest
                )],
            ),
            Some(listing),
        );
    }
    (
        Check::pass(name, vec![format!("`{shown}`: {digest}")]),
        Some(listing),
    )
}

fn cross(path: &Path, sif: &Listing, docker: &Listing) -> Check {
    let name = "cross-target (docker = sif)";
    let (d, s) = (docker.digest(), sif.digest());
    if d == s {
        return Check::pass(name, vec![format!("both {d}")]);
    }
    let mut details = vec![format!(
        "the Docker image gives {d}, `{}` gives {s}",
        path.display()
    )];
    details.extend(describe_differences(
        &diff(&docker.entries, &sif.entries),
        "docker",
        "sif",
    ));
    Check::fail(name, details)
}
