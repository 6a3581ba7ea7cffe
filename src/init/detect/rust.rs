//! Rust projects (`Cargo.toml`): Debian's Rust toolchain, chosen by the project's minimum
//! supported Rust version (`package.rust-version`, or `workspace.package.rust-version`).
//!
//! Debian trixie's own `rustc` is 1.85; trixie-backports carries 1.97 (both checked on the
//! Debian mirror when this was written). A project that needs more than trixie has gets the
//! backports toolchain: a debootstrap base with `extra_suites = [ "trixie-backports" ]` and
//! the packages named `NAME/trixie-backports`, pinned by `envc lock` like any apt package.

use crate::init::doc::Text;
use crate::init::draft::{BaseDraft, Draft, Found, Origin, short};
use crate::init::files::Project;

/// The newest `rustc` in Debian trixie itself.
pub const TRIXIE_RUST: (u64, u64) = (1, 85);
/// The newest `rustc` in trixie-backports.
pub const BACKPORTS_RUST: (u64, u64) = (1, 97);

pub fn detect(project: &Project, draft: &mut Draft) {
    let rel = "Cargo.toml";
    let Some(text) = super::read_text(project, draft, rel) else {
        return;
    };
    let origin = Origin::new(rel, None);
    let doc: toml::Table = match toml::from_str(&text) {
        Ok(d) => d,
        Err(e) => {
            draft.skip(&origin, format!("not read: {}", short(e.message())));
            return;
        }
    };
    draft.sources.push(rel.into());
    let msrv = doc
        .get("package")
        .and_then(|p| p.get("rust-version"))
        .or_else(|| {
            doc.get("workspace")
                .and_then(|w| w.get("package"))
                .and_then(|p| p.get("rust-version"))
        })
        .and_then(|v| v.as_str());
    let needed = msrv.and_then(parse_version);
    let packages = ["cargo", "rustc", "rustfmt", "rust-clippy"];
    match needed {
        Some(v) if v > BACKPORTS_RUST => {
            for p in packages {
                draft.add_apt(&origin, p);
            }
            draft.skip(
                &origin,
                format!(
                    "`rust-version = \"{}\"`: no Debian release has a rustc that new (trixie-backports has {}.{})",
                    msrv.unwrap_or_default(),
                    BACKPORTS_RUST.0,
                    BACKPORTS_RUST.1
                ),
            );
        }
        Some(v) if v > TRIXIE_RUST => {
            if backports_base(draft, &origin) {
                for p in packages {
                    draft.add_apt(&origin, &format!("{p}/trixie-backports"));
                }
                // Backports' cargo links backports' libcurl; curl must follow it.
                draft.add_apt(&origin, "curl/trixie-backports");
                draft.noted(
                    &origin,
                    format!(
                        "rust-version {}: Rust from trixie-backports (trixie has {}.{})",
                        msrv.unwrap_or_default(),
                        TRIXIE_RUST.0,
                        TRIXIE_RUST.1
                    ),
                );
            } else {
                for p in packages {
                    draft.add_apt(&origin, p);
                }
                draft.skip(
                    &origin,
                    format!(
                        "`rust-version = \"{}\"` needs trixie-backports, which only a debootstrap base enables; the base image's rustc may be older",
                        msrv.unwrap_or_default()
                    ),
                );
            }
        }
        _ => {
            for p in packages {
                draft.add_apt(&origin, p);
            }
        }
    }
    // Crates with C parts (`cc`, `*-sys`) need a compiler.
    draft.add_apt(&origin, "build-essential");
    draft.add_apt(&origin, "pkg-config");
}

/// Make the base a debootstrap of trixie with backports (when nothing chose a base yet, or
/// the base is already that debootstrap); false when another base was chosen.
fn backports_base(draft: &mut Draft, origin: &Origin) -> bool {
    let backports = Text::new("trixie-backports").expect("a plain literal");
    match &mut draft.base {
        None => {
            draft.base = Some(Found {
                value: BaseDraft::Debootstrap {
                    suite: Text::new("trixie").expect("a plain literal"),
                    extra_suites: vec![backports],
                },
                origin: origin.clone(),
            });
            true
        }
        Some(Found {
            value:
                BaseDraft::Debootstrap {
                    suite,
                    extra_suites,
                },
            ..
        }) if suite.as_str() == "trixie" => {
            if !extra_suites.contains(&backports) {
                extra_suites.push(backports);
            }
            true
        }
        Some(_) => false,
    }
}

/// `1.85` or `1.85.1` as (major, minor).
pub fn parse_version(v: &str) -> Option<(u64, u64)> {
    let mut parts = v.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    Some((major, minor))
}
