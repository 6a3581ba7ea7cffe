//! Listing a filesystem from a tar stream (`docker export`, `tar -c`), read once, in order.

use std::collections::HashMap;
use std::io::Read;

use sha2::{Digest, Sha256};

use super::RootfsError;
use super::entry::{Entry, EntryKind, Listing, normalize_path};
use super::exclude;

/// List the entries of a filesystem tar, hashing file contents as they stream past.
pub fn list_tar<R: Read>(stream: R) -> Result<Listing, RootfsError> {
    let mut listing = Listing::default();
    // Regular files seen so far, for hard links (which a tar stores after their target).
    let mut files: HashMap<Vec<u8>, Entry> = HashMap::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut archive = tar::Archive::new(stream);
    for entry in archive.entries().map_err(RootfsError::Tar)? {
        let mut entry = entry.map_err(RootfsError::Tar)?;
        let raw_path = entry.path_bytes().into_owned();
        let Some(path) = normalize_path(&raw_path) else {
            return Err(RootfsError::Tar(std::io::Error::other(format!(
                "tar entry `{}` climbs out of the root",
                String::from_utf8_lossy(&raw_path)
            ))));
        };
        let header = entry.header();
        let mode = header.mode().map_err(RootfsError::Tar)? & 0o7777;
        let uid = header.uid().map_err(RootfsError::Tar)? as u32;
        let gid = header.gid().map_err(RootfsError::Tar)? as u32;
        let device = (
            header.device_major().ok().flatten().unwrap_or(0),
            header.device_minor().ok().flatten().unwrap_or(0),
        );
        let mut record = Entry {
            path,
            kind: EntryKind::File,
            mode,
            uid,
            gid,
            size: 0,
            sha256: None,
            link: None,
            device: None,
        };
        use tar::EntryType as T;
        match header.entry_type() {
            T::Directory => record.kind = EntryKind::Dir,
            T::Regular | T::Continuous | T::GNUSparse => {
                let mut hasher = Sha256::new();
                let mut size = 0u64;
                loop {
                    let n = entry.read(&mut buffer).map_err(RootfsError::Tar)?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buffer[..n]);
                    size += n as u64;
                }
                record.size = size;
                record.sha256 = Some(hasher.finalize().into());
                files.insert(record.path.clone(), record.clone());
            }
            T::Link => {
                let target = entry
                    .link_name_bytes()
                    .and_then(|l| normalize_path(&l))
                    .unwrap_or_default();
                let Some(original) = files.get(&target) else {
                    return Err(RootfsError::DanglingHardlink {
                        path: record.display_path(),
                        target: format!("/{}", String::from_utf8_lossy(&target)),
                    });
                };
                record = Entry {
                    path: record.path,
                    ..original.clone()
                };
                files.insert(record.path.clone(), record.clone());
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
        // The root directory's own entry: a Docker export has none and a squashfs always
        // has one, with whatever mode the runtime gave it, so it is not compared.
        if record.path.is_empty() {
            continue;
        }
        if exclude::check(&record.path, &mut listing.excluded) {
            continue;
        }
        listing.entries.push(record);
    }
    Ok(listing.finish())
}
