//! The rootfs listing of a SIF: its primary system partition, read in place as squashfs.
//!
//! It lives with the SIF reader, above [`crate::rootfs`], so that the rootfs digest knows
//! no container format: the SIF says where the partition starts, rootfs lists it.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::{FsType, SifImage};
use crate::rootfs::squashfs::list_squashfs;
use crate::rootfs::{Listing, RootfsError};

/// List the primary system partition of the SIF file at `path`.
pub fn list_sif(path: &Path) -> Result<Listing, RootfsError> {
    let mut file = File::open(path)?;
    let image = SifImage::read(&mut file).map_err(|e| RootfsError::Container(Box::new(e)))?;
    let partition = image.primary_partition().ok_or(RootfsError::NoPartition)?;
    let fs_type = partition
        .partition
        .as_ref()
        .map(|p| p.fs_type)
        .unwrap_or(FsType::Unknown(0));
    if fs_type != FsType::Squashfs {
        return Err(RootfsError::NotSquashfs(fs_type.label()));
    }
    list_squashfs(BufReader::with_capacity(1 << 20, file), partition.offset)
}
