//! The rootfs digest of an image given as its layers (a registry's blobs, a `docker save`),
//! without unpacking anything and without the engine.
//!
//! Each layer is an OCI changeset: a tar of the paths it adds or changes, plus whiteouts
//! (`.wh.NAME` removes `NAME` and everything below it, `.wh..wh..opq` in a folder hides what
//! the lower layers put in it). [`read_layer`] reads one layer once, hashing file contents
//! as they stream past; [`LayerStack`] applies layers in order as the OCI image spec says
//! (a layer's whiteouts apply to the layers below it, never to its own entries) and lists the
//! merged tree. The listing equals the one of a container export of the same image
//! ([`super::tar::list_tar`]) — that is what lets a pulled image be checked against the
//! `dev.envc.rootfs` digest recorded when it was built, before it is ever used.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::ops::Bound;

use sha2::{Digest, Sha256};

use super::RootfsError;
use super::entry::{Entry, EntryKind, Listing, normalize_path};
use super::exclude;

/// The prefix of a whiteout file's name.
const WHITEOUT: &[u8] = b".wh.";
/// The name of an opaque-folder marker.
const OPAQUE: &[u8] = b".wh..wh..opq";

/// One change a layer makes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    /// Add or replace an entry.
    Put(Entry),
    /// A hard link to `target`: the entry that `target` names when the link is applied.
    Link { path: Vec<u8>, target: Vec<u8> },
    /// Remove the path and everything below it (from lower layers).
    Remove(Vec<u8>),
    /// Hide everything below the folder (from lower layers).
    Opaque(Vec<u8>),
}

/// What one layer changes, in its tar's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerChanges {
    changes: Vec<Change>,
}

impl LayerChanges {
    /// How many paths the layer touches.
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Read one uncompressed layer tar.
pub fn read_layer<R: Read>(stream: R) -> Result<LayerChanges, RootfsError> {
    let mut changes = Vec::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut archive = tar::Archive::new(stream);
    for entry in archive.entries().map_err(RootfsError::Tar)? {
        let mut entry = entry.map_err(RootfsError::Tar)?;
        let raw = entry.path_bytes().into_owned();
        let Some(path) = normalize_path(&raw) else {
            return Err(RootfsError::Tar(std::io::Error::other(format!(
                "layer entry `{}` climbs out of the root",
                String::from_utf8_lossy(&raw)
            ))));
        };
        let (dir, name) = match path.iter().rposition(|b| *b == b'/') {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => (&path[..0], &path[..]),
        };
        if name == OPAQUE {
            changes.push(Change::Opaque(dir.to_vec()));
            continue;
        }
        if let Some(hidden) = name.strip_prefix(WHITEOUT) {
            // `.wh..wh.*` other than the opaque marker are aufs bookkeeping, not paths.
            if !hidden.starts_with(WHITEOUT) {
                changes.push(Change::Remove(join(dir, hidden)));
            }
            continue;
        }
        let header = entry.header();
        let mut record = Entry {
            path,
            kind: EntryKind::File,
            mode: header.mode().map_err(RootfsError::Tar)? & 0o7777,
            uid: header.uid().map_err(RootfsError::Tar)? as u32,
            gid: header.gid().map_err(RootfsError::Tar)? as u32,
            size: 0,
            sha256: None,
            link: None,
            device: None,
        };
        let device = (
            header.device_major().ok().flatten().unwrap_or(0),
            header.device_minor().ok().flatten().unwrap_or(0),
        );
        use tar::EntryType as T;
        match header.entry_type() {
            T::Directory => record.kind = EntryKind::Dir,
            T::Regular | T::Continuous | T::GNUSparse => {
                let mut hasher = Sha256::new();
                loop {
                    let n = entry.read(&mut buffer).map_err(RootfsError::Tar)?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buffer[..n]);
                    record.size += n as u64;
                }
                record.sha256 = Some(hasher.finalize().into());
            }
            T::Link => {
                let target = entry
                    .link_name_bytes()
                    .and_then(|l| normalize_path(&l))
                    .unwrap_or_default();
                changes.push(Change::Link {
                    path: record.path,
                    target,
                });
                continue;
            }
            T::Symlink => {
                record.kind = EntryKind::Symlink;
                record.link = Some(
                    entry
                        .link_name_bytes()
                        .map(|l| l.into_owned())
                        .unwrap_or_default(),
                );
            }
            T::Char => {
                record.kind = EntryKind::Char;
                record.device = Some(device);
            }
            T::Block => {
                record.kind = EntryKind::Block;
                record.device = Some(device);
            }
            T::Fifo => record.kind = EntryKind::Fifo,
            _ => continue,
        }
        changes.push(Change::Put(record));
    }
    Ok(LayerChanges { changes })
}

fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut path = dir.to_vec();
    if !path.is_empty() {
        path.push(b'/');
    }
    path.extend_from_slice(name);
    path
}

/// The merged tree of the layers applied so far.
#[derive(Debug, Clone, Default)]
pub struct LayerStack {
    tree: BTreeMap<Vec<u8>, Entry>,
}

impl LayerStack {
    pub fn new() -> LayerStack {
        LayerStack::default()
    }

    /// Apply the next layer up.
    pub fn apply(&mut self, layer: &LayerChanges) -> Result<(), RootfsError> {
        // Whiteouts hide what the lower layers hold, never the layer's own entries.
        for change in &layer.changes {
            match change {
                Change::Remove(path) => {
                    self.tree.remove(path);
                    self.remove_below(path);
                }
                Change::Opaque(dir) => self.remove_below(dir),
                Change::Put(_) | Change::Link { .. } => {}
            }
        }
        // Hard links name files of this layer before them, or of lower layers.
        let mut own: HashMap<&[u8], &Entry> = HashMap::new();
        for change in &layer.changes {
            match change {
                Change::Put(entry) => {
                    self.put(entry.clone());
                    if entry.kind == EntryKind::File {
                        own.insert(&entry.path, entry);
                    }
                }
                Change::Link { path, target } => {
                    let original = own
                        .get(target.as_slice())
                        .copied()
                        .or_else(|| self.tree.get(target))
                        .filter(|e| e.kind == EntryKind::File)
                        .ok_or_else(|| RootfsError::DanglingHardlink {
                            path: format!("/{}", String::from_utf8_lossy(path)),
                            target: format!("/{}", String::from_utf8_lossy(target)),
                        })?
                        .clone();
                    self.put(Entry {
                        path: path.clone(),
                        ..original
                    });
                }
                Change::Remove(_) | Change::Opaque(_) => {}
            }
        }
        Ok(())
    }

    /// Add or replace one entry as unpacking a tar would: a non-folder replaces a folder with
    /// everything in it, and missing parent folders appear (root-owned, mode 0755).
    fn put(&mut self, entry: Entry) {
        if entry.kind != EntryKind::Dir {
            self.remove_below(&entry.path);
        }
        let mut end = 0;
        while let Some(i) = entry.path[end..].iter().position(|b| *b == b'/') {
            let parent = entry.path[..end + i].to_vec();
            end += i + 1;
            match self.tree.get(&parent) {
                Some(existing) if existing.kind == EntryKind::Dir => {}
                _ => {
                    self.remove_below(&parent);
                    self.tree.insert(
                        parent.clone(),
                        Entry {
                            path: parent,
                            kind: EntryKind::Dir,
                            mode: 0o755,
                            uid: 0,
                            gid: 0,
                            size: 0,
                            sha256: None,
                            link: None,
                            device: None,
                        },
                    );
                }
            }
        }
        self.tree.insert(entry.path.clone(), entry);
    }

    /// Remove everything strictly below `dir` (the root when `dir` is empty).
    fn remove_below(&mut self, dir: &[u8]) {
        if dir.is_empty() {
            self.tree.clear();
            return;
        }
        let mut prefix = dir.to_vec();
        prefix.push(b'/');
        let below: Vec<Vec<u8>> = self
            .tree
            .range::<Vec<u8>, _>((Bound::Included(&prefix), Bound::Unbounded))
            .map(|(path, _)| path)
            .take_while(|path| path.starts_with(&prefix))
            .cloned()
            .collect();
        for path in below {
            self.tree.remove(&path);
        }
    }

    /// The listing of the merged tree (exclusions applied as for a container export).
    pub fn listing(&self) -> Listing {
        let mut listing = Listing::default();
        for (path, entry) in &self.tree {
            // The root folder's own entry is never compared (see `super::tar`).
            if path.is_empty() || exclude::check(path, &mut listing.excluded) {
                continue;
            }
            listing.entries.push(entry.clone());
        }
        listing.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_uid(0);
            header.set_gid(0);
            header.set_mtime(0);
            header.set_mode(0o777);
            if path.ends_with('/') {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                builder
                    .append_data(&mut header, path, std::io::empty())
                    .unwrap();
            } else if let Some(target) = path.strip_prefix("link:") {
                let (name, target) = target.split_once('>').unwrap();
                header.set_entry_type(tar::EntryType::Link);
                header.set_size(0);
                builder.append_link(&mut header, name, target).unwrap();
            } else {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(0o644);
                header.set_size(data.len() as u64);
                builder.append_data(&mut header, path, *data).unwrap();
            }
        }
        builder.into_inner().unwrap()
    }

    fn paths(stack: &LayerStack) -> Vec<String> {
        stack
            .listing()
            .entries
            .iter()
            .map(|e| String::from_utf8_lossy(&e.path).into_owned())
            .collect()
    }

    #[test]
    fn whiteouts_hide_lower_layers_only() {
        let mut stack = LayerStack::new();
        let lower = tar(&[("a/", b""), ("a/x", b"1"), ("a/y", b"2"), ("b", b"3")]);
        stack.apply(&read_layer(&lower[..]).unwrap()).unwrap();
        let upper = tar(&[
            ("a/.wh..wh..opq", b""),
            ("a/z", b"4"),
            (".wh.b", b""),
            ("c/d", b"5"),
        ]);
        stack.apply(&read_layer(&upper[..]).unwrap()).unwrap();
        assert_eq!(paths(&stack), ["a", "a/z", "c", "c/d"]);
        // A whiteout in the same layer as the path does not hide it.
        let same = tar(&[("e", b"6"), (".wh.e", b"")]);
        stack.apply(&read_layer(&same[..]).unwrap()).unwrap();
        assert!(paths(&stack).contains(&"e".to_owned()));
    }

    #[test]
    fn the_merged_tree_lists_like_the_flattened_tar() {
        let base = tar(&[("etc/", b""), ("etc/passwd", b"root"), ("bin/", b"")]);
        let step = tar(&[
            ("etc/", b""),
            ("etc/passwd", b"root\nuser"),
            ("link:bin/pw>etc/passwd", b""),
        ]);
        let mut stack = LayerStack::new();
        stack.apply(&read_layer(&base[..]).unwrap()).unwrap();
        stack.apply(&read_layer(&step[..]).unwrap()).unwrap();
        let flat = tar(&[
            ("bin/", b""),
            ("etc/", b""),
            ("etc/passwd", b"root\nuser"),
            ("link:bin/pw>etc/passwd", b""),
        ]);
        let expected = super::super::tar::list_tar(&flat[..]).unwrap();
        assert_eq!(stack.listing().digest(), expected.digest());
    }

    #[test]
    fn a_file_replacing_a_folder_removes_what_was_in_it() {
        let mut stack = LayerStack::new();
        let lower = tar(&[("opt/", b""), ("opt/tool/", b""), ("opt/tool/bin", b"x")]);
        stack.apply(&read_layer(&lower[..]).unwrap()).unwrap();
        let upper = tar(&[("opt/tool", b"now a file")]);
        stack.apply(&read_layer(&upper[..]).unwrap()).unwrap();
        assert_eq!(paths(&stack), ["opt", "opt/tool"]);
    }

    #[test]
    fn a_hard_link_to_nothing_is_an_error() {
        let layer = tar(&[("link:a>missing", b"")]);
        let mut stack = LayerStack::new();
        let error = stack.apply(&read_layer(&layer[..]).unwrap()).unwrap_err();
        assert!(
            matches!(error, RootfsError::DanglingHardlink { .. }),
            "{error}"
        );
    }
}
