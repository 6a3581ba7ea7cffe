//! Listing a filesystem from a squashfs image, standalone or at an offset inside a
//! container file (a SIF's partition, see `crate::sif::rootfs_listing`), read in place.
//!
//! backhand reads the image's directory and inode tables and decompresses each file's
//! blocks on demand from the open file at the partition's offset; nothing is extracted.

use std::io::Read;

use backhand::{BufReadSeek, FilesystemReader, InnerNode};
use sha2::{Digest, Sha256};

use super::RootfsError;
use super::entry::{Entry, EntryKind, Listing, normalize_path};
use super::exclude;

/// List the squashfs image that starts `offset` bytes into `source`.
pub fn list_squashfs<'r, R: BufReadSeek + 'r>(
    source: R,
    offset: u64,
) -> Result<Listing, RootfsError> {
    let fs = FilesystemReader::from_reader_with_offset(source, offset)?;
    let mut listing = Listing::default();
    let mut buffer = vec![0u8; 256 * 1024];
    for node in fs.files() {
        let raw = node.fullpath.as_os_str().as_encoded_bytes();
        let Some(path) = normalize_path(raw) else {
            continue;
        };
        if path.is_empty() {
            continue; // the root; see the tar side for why it is not compared
        }
        if exclude::check(&path, &mut listing.excluded) {
            continue;
        }
        let mut entry = Entry {
            path,
            kind: EntryKind::File,
            mode: u32::from(node.header.permissions) & 0o7777,
            uid: node.header.uid,
            gid: node.header.gid,
            size: 0,
            sha256: None,
            link: None,
            device: None,
        };
        match &node.inner {
            InnerNode::File(file) => {
                let mut reader = fs.file(file).reader();
                let mut hasher = Sha256::new();
                let mut size = 0u64;
                loop {
                    let n = reader.read(&mut buffer)?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buffer[..n]);
                    size += n as u64;
                }
                entry.size = size;
                entry.sha256 = Some(hasher.finalize().into());
            }
            InnerNode::Symlink(link) => {
                entry.kind = EntryKind::Symlink;
                entry.link = Some(link.link.as_os_str().as_encoded_bytes().to_vec());
            }
            InnerNode::Dir(_) => entry.kind = EntryKind::Dir,
            InnerNode::CharacterDevice(dev) => {
                entry.kind = EntryKind::Char;
                entry.device = Some(decode_device(dev.device_number));
            }
            InnerNode::BlockDevice(dev) => {
                entry.kind = EntryKind::Block;
                entry.device = Some(decode_device(dev.device_number));
            }
            InnerNode::NamedPipe => entry.kind = EntryKind::Fifo,
            InnerNode::Socket => entry.kind = EntryKind::Socket,
        }
        listing.entries.push(entry);
    }
    Ok(listing.finish())
}

/// Linux's `new_decode_dev`: squashfs device numbers to (major, minor).
fn decode_device(dev: u32) -> (u32, u32) {
    ((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00))
}
