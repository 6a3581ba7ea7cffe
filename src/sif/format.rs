//! The on-disk layout of a SIF file (format version "01"), as defined by its reference
//! implementation, sylabs/sif (`pkg/sif/sif.go`, `descriptor.go`, `arch.go`).
//!
//! Everything is little-endian and packed with no padding between fields (the reference
//! writes its structs with Go's `encoding/binary`, which never pads):
//!
//! ```text
//! global header (128 bytes) at 0
//!   launch script [32]  "#!/usr/bin/env run-singularity\n" NUL-padded
//!   magic         [10]  "SIF_MAGIC\0"
//!   version       [3]   "01\0"
//!   arch          [3]   "02\0" for amd64, … (the primary partition's arch)
//!   id            [16]  UUID
//!   created, modified, descriptors free, descriptors total,
//!   descriptors offset, descriptors size, data offset, data size   8 × i64
//! descriptor table at `descriptors offset` (4096): `descriptors total` × 585 bytes
//!   data type i32, used u8, id u32, group id u32, linked id u32,
//!   offset i64, size i64, size with padding i64,
//!   created i64, modified i64, uid i64, gid i64 (both deprecated, 0),
//!   name [128], extra [384] (type-specific: partition = fs type i32, part type i32, arch [3])
//! data objects from `data offset`, each placed at the next multiple of its alignment
//! ```
//!
//! We keep our own copy of these few constants instead of binding to Go code: the layout
//! is frozen by the version string, and `siftool` checks that we read and write it alike.

/// The `#!` line that lets a SIF be executed directly (it runs `run-singularity`).
pub const LAUNCH_SCRIPT: &str = "#!/usr/bin/env run-singularity\n";
pub const MAGIC: &[u8; 10] = b"SIF_MAGIC\0";
pub const VERSION: &[u8; 3] = b"01\0";

pub const LAUNCH_LEN: usize = 32;
pub const HEADER_LEN: usize = 128;
pub const DESCRIPTOR_LEN: usize = 585;
pub const NAME_LEN: usize = 128;
pub const EXTRA_LEN: usize = 384;

/// Where the reference implementation puts the descriptor table, and how many slots it
/// reserves by default; we use the same values so our files look like everyone else's.
pub const DESCRIPTORS_OFFSET: u64 = 4096;
pub const DEFAULT_DESCRIPTOR_CAPACITY: usize = 48;

/// Group ids are stored with this mask set; a descriptor "in group 1" stores 0xf0000001.
pub const GROUP_MASK: u32 = 0xf000_0000;
pub const DEFAULT_GROUP: u32 = 1;

/// Partitions are aligned on a page so they can be mounted straight from the file.
pub const PARTITION_ALIGNMENT: u64 = 4096;

/// The kind of a data object (`DataType` in the reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataType {
    Deffile,
    EnvVar,
    Labels,
    Partition,
    Signature,
    GenericJson,
    Generic,
    CryptoMessage,
    Sbom,
    OciRootIndex,
    OciBlob,
    Unknown(i32),
}

impl DataType {
    pub fn code(self) -> i32 {
        match self {
            DataType::Deffile => 0x4001,
            DataType::EnvVar => 0x4002,
            DataType::Labels => 0x4003,
            DataType::Partition => 0x4004,
            DataType::Signature => 0x4005,
            DataType::GenericJson => 0x4006,
            DataType::Generic => 0x4007,
            DataType::CryptoMessage => 0x4008,
            DataType::Sbom => 0x4009,
            DataType::OciRootIndex => 0x400a,
            DataType::OciBlob => 0x400b,
            DataType::Unknown(code) => code,
        }
    }

    pub fn from_code(code: i32) -> Self {
        match code {
            0x4001 => DataType::Deffile,
            0x4002 => DataType::EnvVar,
            0x4003 => DataType::Labels,
            0x4004 => DataType::Partition,
            0x4005 => DataType::Signature,
            0x4006 => DataType::GenericJson,
            0x4007 => DataType::Generic,
            0x4008 => DataType::CryptoMessage,
            0x4009 => DataType::Sbom,
            0x400a => DataType::OciRootIndex,
            0x400b => DataType::OciBlob,
            other => DataType::Unknown(other),
        }
    }

    /// The name `siftool list` prints for this type.
    pub fn label(self) -> &'static str {
        match self {
            DataType::Deffile => "Def.FILE",
            DataType::EnvVar => "Env.Vars",
            DataType::Labels => "JSON.Labels",
            DataType::Partition => "FS",
            DataType::Signature => "Signature",
            DataType::GenericJson => "JSON.Generic",
            DataType::Generic => "Generic/Raw",
            DataType::CryptoMessage => "Cryptographic Message",
            DataType::Sbom => "SBOM",
            DataType::OciRootIndex => "OCI.RootIndex",
            DataType::OciBlob => "OCI.Blob",
            DataType::Unknown(_) => "Unknown",
        }
    }
}

/// File system of a partition object (`FSType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsType {
    Squashfs,
    Ext3,
    ImmutableObjects,
    Raw,
    EncryptedSquashfs,
    Unknown(i32),
}

impl FsType {
    pub fn code(self) -> i32 {
        match self {
            FsType::Squashfs => 1,
            FsType::Ext3 => 2,
            FsType::ImmutableObjects => 3,
            FsType::Raw => 4,
            FsType::EncryptedSquashfs => 5,
            FsType::Unknown(code) => code,
        }
    }

    pub fn from_code(code: i32) -> Self {
        match code {
            1 => FsType::Squashfs,
            2 => FsType::Ext3,
            3 => FsType::ImmutableObjects,
            4 => FsType::Raw,
            5 => FsType::EncryptedSquashfs,
            other => FsType::Unknown(other),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FsType::Squashfs => "Squashfs",
            FsType::Ext3 => "Ext3",
            FsType::ImmutableObjects => "Archive",
            FsType::Raw => "Raw",
            FsType::EncryptedSquashfs => "Encrypted squashfs",
            FsType::Unknown(_) => "Unknown",
        }
    }
}

/// Role of a partition object (`PartType`); a runnable image has one `PrimarySystem`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartType {
    System,
    PrimarySystem,
    Data,
    Overlay,
    Unknown(i32),
}

impl PartType {
    pub fn code(self) -> i32 {
        match self {
            PartType::System => 1,
            PartType::PrimarySystem => 2,
            PartType::Data => 3,
            PartType::Overlay => 4,
            PartType::Unknown(code) => code,
        }
    }

    pub fn from_code(code: i32) -> Self {
        match code {
            1 => PartType::System,
            2 => PartType::PrimarySystem,
            3 => PartType::Data,
            4 => PartType::Overlay,
            other => PartType::Unknown(other),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PartType::System => "System",
            PartType::PrimarySystem => "*System",
            PartType::Data => "Data",
            PartType::Overlay => "Overlay",
            PartType::Unknown(_) => "Unknown",
        }
    }
}

/// SIF architecture codes, keyed by the Go architecture names the reference uses
/// (which are also the names Docker and OCI use for platforms).
const ARCHES: &[(&str, &[u8; 2])] = &[
    ("386", b"01"),
    ("amd64", b"02"),
    ("arm", b"03"),
    ("arm64", b"04"),
    ("ppc64", b"05"),
    ("ppc64le", b"06"),
    ("mips", b"07"),
    ("mipsle", b"08"),
    ("mips64", b"09"),
    ("mips64le", b"10"),
    ("s390x", b"11"),
    ("riscv64", b"12"),
];

/// The 3-byte SIF code of an OCI/Go architecture name, `None` when SIF has no code for it.
pub fn arch_code(arch: &str) -> Option<[u8; 3]> {
    ARCHES
        .iter()
        .find(|(name, _)| *name == arch)
        .map(|(_, code)| [code[0], code[1], 0])
}

/// The architecture name of a 3-byte SIF code ("unknown" for "00" and anything else).
pub fn arch_name(code: &[u8; 3]) -> &'static str {
    ARCHES
        .iter()
        .find(|(_, c)| c[..] == code[..2])
        .map(|(name, _)| *name)
        .unwrap_or("unknown")
}

/// The architecture of the machine envc was built for, as an OCI name.
pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "arm" => "arm",
        _ => "unknown",
    }
}

/// Round `offset` up to a multiple of `alignment` (0 or 1 mean no alignment).
pub fn align_up(offset: u64, alignment: u64) -> u64 {
    if alignment <= 1 {
        offset
    } else {
        offset.div_ceil(alignment) * alignment
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_sizes_match_the_reference_structs() {
        // rawDescriptor: i32 + bool + 3×u32 + 7×i64 + name + extra, packed.
        assert_eq!(4 + 1 + 3 * 4 + 7 * 8 + NAME_LEN + EXTRA_LEN, DESCRIPTOR_LEN);
        // header: launch + magic + version + arch + uuid + 8×i64.
        assert_eq!(LAUNCH_LEN + 10 + 3 + 3 + 16 + 8 * 8, HEADER_LEN);
    }

    #[test]
    fn codes_round_trip() {
        for code in 0x4001..=0x400b {
            assert_eq!(DataType::from_code(code).code(), code);
        }
        assert_eq!(DataType::from_code(0x4004), DataType::Partition);
        assert_eq!(arch_code("amd64"), Some(*b"02\0"));
        assert_eq!(arch_name(b"04\0"), "arm64");
        assert_eq!(arch_name(b"00\0"), "unknown");
        assert_eq!(align_up(32176, 4096), 32768);
        assert_eq!(align_up(5, 0), 5);
    }
}
