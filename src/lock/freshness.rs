//! Whether a lock entry still fits the config: its two checksums match what they cover,
//! its pins agree with what the config pins itself, and its inputs are the config's. Each
//! problem is a line that says what changed, for `envc lock --check` and for a refused build.

use std::fmt;

use serde_json::Value;

use super::file::{
    BasePin, ImagePins, LockEntry, LockFile, config_digest, download_requests, lock_inputs,
    pins_digest,
};
use crate::content::canonical;
use crate::spec::Spec;
use crate::spec::model::{Base, BuildSpec};

/// Whether a lock fits a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    /// There is no lock file, or it has no entry for this variant.
    Missing,
    /// The entry was made from other inputs; each string says what changed.
    Stale(Vec<String>),
}

/// Check `lock` against `spec` for `variant`.
pub fn freshness(lock: Option<&LockFile>, spec: &Spec, variant: Option<&str>) -> Freshness {
    let Some(entry) = lock.and_then(|l| l.entry(variant)) else {
        return Freshness::Missing;
    };
    let inputs = lock_inputs(spec);
    let mut changes = integrity(entry);
    if changes.is_empty() && entry.inputs == inputs {
        consistency(entry, spec, &mut changes);
    }
    describe_changes("", &entry.inputs, &inputs, &mut changes);
    if changes.is_empty() {
        Freshness::Fresh
    } else {
        Freshness::Stale(changes)
    }
}

/// Whether the entry's checksums match what they cover: an edited lock does not.
fn integrity(entry: &LockEntry) -> Vec<String> {
    let mut problems = Vec::new();
    if config_digest(&entry.inputs) != entry.config {
        problems.push(
            "the recorded `config` checksum does not match the entry's inputs (the lock was edited)"
                .to_owned(),
        );
    }
    match entry.pins {
        None => problems.push("the entry has no `pins` checksum (written by an older envc)".to_owned()),
        Some(recorded) if recorded != pins_digest(&entry.image, &entry.services) => problems.push(
            "the pins do not match the entry's `pins` checksum: a digest, version or hash was edited by hand"
                .to_owned(),
        ),
        Some(_) => {}
    }
    problems
}

/// Pins that contradict what the config itself pins (checked offline, without resolving).
fn consistency(entry: &LockEntry, spec: &Spec, out: &mut Vec<String>) {
    image_consistency("image", &spec.base, &spec.build, &entry.image, out);
    for (name, service) in &spec.services {
        let at = format!("services.{name}");
        match entry.services.get(name.as_str()) {
            None => out.push(format!("`{at}` has no pins")),
            Some(pins) => match (&service.image, &service.build) {
                (Some(image), _) => base_consistency(&at, &Base::Image(image.clone()), pins, out),
                (None, Some(build)) => image_consistency(&at, &build.base, &build.build, pins, out),
                (None, None) => {}
            },
        }
    }
    for name in entry.services.keys() {
        if !spec.services.keys().any(|n| n.as_str() == name) {
            out.push(format!(
                "`services.{name}` is pinned but the config has no such service"
            ));
        }
    }
}

fn image_consistency(
    at: &str,
    base: &Base,
    build: &BuildSpec,
    pins: &ImagePins,
    out: &mut Vec<String>,
) {
    base_consistency(at, base, pins, out);
    for (url, sha256) in download_requests(build) {
        match (pins.downloads.get(&url), sha256) {
            // A download the config pins itself needs no pin in the lock.
            (None, None) => out.push(format!("`{at}.downloads`: `{url}` has no pin")),
            (None, Some(_)) => {}
            (Some(pinned), Some(wanted)) if pinned.hex() != wanted => out.push(format!(
                "`{at}.downloads`: `{url}` is pinned to {pinned}, the config says sha256:{wanted}"
            )),
            _ => {}
        }
    }
}

fn base_consistency(at: &str, base: &Base, pins: &ImagePins, out: &mut Vec<String>) {
    let pin = pins.base.as_ref();
    match (base, pin) {
        (_, None) => out.push(format!("`{at}.base` has no pin")),
        (
            Base::Image(image),
            Some(BasePin::Image {
                reference,
                digest,
                local,
            }),
        ) => {
            if reference != image.as_str() {
                out.push(format!(
                    "`{at}.base` pins `{reference}`, the config says `{image}`"
                ));
            }
            let written = image.as_str().split_once("@sha256:").map(|(_, hex)| hex);
            if let Some(hex) = written
                && !local
                && digest.hex() != hex
            {
                out.push(format!(
                    "`{at}.base` is pinned to {digest}, the config says sha256:{hex}"
                ));
            }
        }
        (
            Base::Debootstrap(d),
            Some(BasePin::Debootstrap {
                suite,
                mirror,
                snapshot,
                ..
            }),
        ) => {
            let given = d.snapshot.as_ref().map(|s| s.as_str().to_owned());
            if suite != d.suite.as_str() || mirror != d.mirror.as_str() || *snapshot != given {
                out.push(format!(
                    "`{at}.base` pins another debootstrap (suite, mirror or snapshot)"
                ));
            }
        }
        (Base::Archive(a), Some(BasePin::Archive { path, sha256 })) => {
            if path != a.path.as_str() || sha256.hex() != a.sha256.as_str() {
                out.push(format!(
                    "`{at}.base` pins archive `{path}` at {sha256}, the config says `{}` at sha256:{}",
                    a.path, a.sha256
                ));
            }
        }
        (_, Some(_)) => out.push(format!("`{at}.base` is pinned as another kind of base")),
    }
}

/// Lock entries for variants the config no longer has.
pub fn orphans<'a>(lock: &'a LockFile, variants: &[String]) -> Vec<&'a str> {
    lock.variants
        .keys()
        .filter(|name| !variants.contains(name))
        .map(String::as_str)
        .collect()
}

/// Lines like "`image.apt`: added `curl`" for every difference between two input documents.
fn describe_changes(at: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    if old == new {
        return;
    }
    let here = if at.is_empty() { "config" } else { at };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => describe_changes(&path, x, y, out),
                    (None, Some(y)) => out.push(format!("`{path}` added: {}", Short(y))),
                    (Some(_), None) => out.push(format!("`{path}` removed")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.iter().chain(b).all(Value::is_string) => {
            let added: Vec<String> = b
                .iter()
                .filter(|x| !a.contains(x))
                .map(|x| Short(x).to_string())
                .collect();
            let removed: Vec<String> = a
                .iter()
                .filter(|x| !b.contains(x))
                .map(|x| Short(x).to_string())
                .collect();
            if !added.is_empty() {
                out.push(format!("`{here}`: added {}", added.join(", ")));
            }
            if !removed.is_empty() {
                out.push(format!("`{here}`: removed {}", removed.join(", ")));
            }
            if added.is_empty() && removed.is_empty() {
                out.push(format!("`{here}`: order changed"));
            }
        }
        _ => out.push(format!(
            "`{here}` changed from {} to {}",
            Short(old),
            Short(new)
        )),
    }
}

/// A JSON value shown in one line, strings in backticks.
struct Short<'a>(&'a Value);

impl fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::String(s) => write!(f, "`{s}`"),
            other => write!(f, "`{}`", canonical::to_string(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::content::Digest;
    use crate::lock::file::tests::{entry_for, spec};

    #[test]
    fn freshness_names_what_changed() {
        let s = spec(json!({"build": {"apt": ["curl", "git"]}}));
        let mut lock = LockFile::default();
        lock.set_entry(None, entry_for(&s));
        assert_eq!(freshness(Some(&lock), &s, None), Freshness::Fresh);
        assert_eq!(freshness(Some(&lock), &s, Some("gpu")), Freshness::Missing);
        assert_eq!(freshness(None, &s, None), Freshness::Missing);

        let changed =
            spec(json!({"base": {"image": "debian:trixie"}, "build": {"apt": ["curl", "make"]}}));
        let Freshness::Stale(changes) = freshness(Some(&lock), &changed, None) else {
            panic!("expected a stale lock");
        };
        assert_eq!(
            changes,
            vec![
                "`image.apt`: added `make`".to_owned(),
                "`image.apt`: removed `git`".to_owned(),
                "`image.base.image` changed from `debian:bookworm` to `debian:trixie`".to_owned(),
            ]
        );
    }

    #[test]
    fn build_steps_and_run_settings_do_not_make_a_lock_stale() {
        let s = spec(json!({}));
        let mut lock = LockFile::default();
        lock.set_entry(None, entry_for(&s));
        let edited = spec(json!({
            "build": {"steps": [{"run": "make"}]},
            "run": {"env": {"A": "1"}}
        }));
        assert_eq!(freshness(Some(&lock), &edited, None), Freshness::Fresh);
    }

    #[test]
    fn adding_a_download_or_changing_its_hash_makes_a_lock_stale() {
        let s = spec(json!({}));
        let mut lock = LockFile::default();
        lock.set_entry(None, entry_for(&s));
        let url = "https://example.org/tool.tar.gz";
        let with = |sha: Option<&str>| {
            let mut file = json!({"url": url});
            if let Some(sha) = sha {
                file["sha256"] = json!(sha);
            }
            spec(json!({"build": {"files": {"/opt/tool.tar.gz": file}}}))
        };
        let Freshness::Stale(changes) = freshness(Some(&lock), &with(None), None) else {
            panic!("a new download makes the lock stale");
        };
        assert_eq!(
            changes,
            vec![format!("`image.downloads` added: `{{\"{url}\":null}}`")]
        );

        let unpinned = with(None);
        lock.set_entry(None, entry_for(&unpinned));
        assert_eq!(freshness(Some(&lock), &unpinned, None), Freshness::Fresh);
        let pinned = with(Some(&"a".repeat(64)));
        let Freshness::Stale(changes) = freshness(Some(&lock), &pinned, None) else {
            panic!("a new spec hash makes the lock stale");
        };
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert!(changes[0].starts_with(&format!("`image.downloads.{url}` changed from `null`")));
        assert_eq!(
            freshness(Some(&lock), &s, None),
            Freshness::Stale(vec!["`image.downloads` removed".into()])
        );
    }

    #[test]
    fn an_edited_pin_or_checksum_makes_the_entry_stale() {
        // Issue 15, item 13: `lock --check` said "up to date" after a base digest was edited.
        let s = spec(json!({}));
        let mut lock = LockFile::default();
        lock.set_entry(None, entry_for(&s));
        assert_eq!(freshness(Some(&lock), &s, None), Freshness::Fresh);

        let mut edited = lock.clone();
        if let Some(BasePin::Image { digest, .. }) =
            &mut edited.default.as_mut().unwrap().image.base
        {
            *digest = Digest::of(b"another image");
        }
        let Freshness::Stale(changes) = freshness(Some(&edited), &s, None) else {
            panic!("an edited base digest must make the lock stale");
        };
        assert!(changes[0].contains("`pins` checksum"), "{changes:?}");

        let mut edited = lock.clone();
        edited.default.as_mut().unwrap().config = Digest::of(b"forged");
        let Freshness::Stale(changes) = freshness(Some(&edited), &s, None) else {
            panic!("a wrong config checksum must make the lock stale");
        };
        assert!(changes[0].contains("`config` checksum"), "{changes:?}");

        let mut old = lock.clone();
        old.default.as_mut().unwrap().pins = None;
        assert!(matches!(
            freshness(Some(&old), &s, None),
            Freshness::Stale(_)
        ));
    }

    #[test]
    fn pins_that_contradict_the_config_make_the_entry_stale() {
        let digest = "a".repeat(64);
        let s = spec(json!({"base": {"image": format!("debian@sha256:{digest}")}}));
        let mut lock = LockFile::default();
        let mut entry = entry_for(&s);
        // Re-sealed after the edit: the checksums match, the pin still contradicts the config.
        entry.image.base = Some(BasePin::Image {
            reference: format!("debian@sha256:{digest}"),
            digest: Digest::of(b"not it"),
            local: false,
        });
        let entry = LockEntry::new(entry.inputs, entry.image, entry.services);
        lock.set_entry(None, entry);
        let Freshness::Stale(changes) = freshness(Some(&lock), &s, None) else {
            panic!("a pin other than the config's digest must make the lock stale");
        };
        assert!(
            changes[0].contains("the config says sha256:aaaa"),
            "{changes:?}"
        );
    }

    #[test]
    fn orphan_variant_entries_are_listed() {
        let s = spec(json!({}));
        let mut lock = LockFile::default();
        lock.set_entry(Some("gone"), entry_for(&s));
        lock.set_entry(Some("kept"), entry_for(&s));
        assert_eq!(orphans(&lock, &["kept".to_owned()]), ["gone"]);
    }
}
