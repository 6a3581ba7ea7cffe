//! The Apptainer target's file format: SIF images, their squashfs partition, and the
//! metadata tree Apptainer expects inside the image.
//!
//! envc writes SIF files itself (no `apptainer` needed to build): [`writer`] lays out the
//! container, [`reader`] reads any SIF back, [`format`] holds the layout constants shared
//! by both, taken from the reference implementation (sylabs/sif).

pub mod apptainer_meta;
pub mod assemble;
pub mod format;
pub mod metadata;
pub mod reader;
pub mod rootfs_listing;
pub mod squashfs;
pub mod writer;

pub use format::{DataType, FsType, PartType};
pub use reader::{Object, SifImage};
pub use rootfs_listing::list_sif;
pub use writer::{ImageOptions, ObjectInput, PartitionInfo, write_sif};

/// Everything that can go wrong reading or writing a SIF file.
#[derive(Debug, thiserror::Error)]
pub enum SifError {
    #[error("not a SIF file (no `SIF_MAGIC` in the header)")]
    NotSif,
    #[error("unsupported SIF version `{0}` (envc reads version `01`)")]
    UnsupportedVersion(String),
    #[error("corrupt SIF file: {0}")]
    Corrupt(&'static str),
    #[error("corrupt SIF file: object {id} extends past the end of the file")]
    ObjectOutOfBounds { id: u32 },
    #[error("SIF object {id} is {size} bytes, too large to load into memory")]
    ObjectTooLarge { id: u32, size: u64 },
    #[error("{count} objects do not fit in a SIF with {capacity} descriptors")]
    TooManyObjects { count: usize, capacity: usize },
    #[error("a SIF file can hold only one primary system partition")]
    SeveralPrimaryPartitions,
    #[error("object name `{0}` is longer than SIF's 128 bytes")]
    NameTooLong(String),
    #[error("architecture `{0}` has no SIF code")]
    UnknownArch(String),
    #[error("object `{name}` gave {found} bytes, expected {expected}")]
    ShortObject {
        name: String,
        expected: u64,
        found: u64,
    },
    #[error("i/o error on a SIF file")]
    Io(#[from] std::io::Error),
}

#[cfg(test)]
mod tests;
