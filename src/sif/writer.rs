//! Writing a SIF file in one forward pass.
//!
//! The reference implementation seeks back to fill in the header and descriptors after
//! the data; we know every object's length up front, so we compute the whole layout
//! first ([`layout`]) and then write header, descriptors and data in order. The bytes are
//! a pure function of the inputs: the id and times are parameters, never taken from the
//! clock or a random source.
//!
//! A large object can also be written *in place* beforehand (the squashfs builder writes
//! the partition straight to its final offset, found with [`layout`]); the writer then
//! skips over it instead of copying hundreds of megabytes.

use std::io::{self, Read, Seek, SeekFrom, Write};

use sha2::{Digest, Sha256};

use super::SifError;
use super::format::{
    self, DESCRIPTOR_LEN, DataType, EXTRA_LEN, FsType, GROUP_MASK, HEADER_LEN, LAUNCH_LEN,
    NAME_LEN, PartType,
};

/// What a partition object declares about itself in its descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionInfo {
    pub fs_type: FsType,
    pub part_type: PartType,
    /// OCI/Go architecture name (`amd64`, `arm64`, …).
    pub arch: String,
}

/// One data object to write: its descriptor fields and a reader with exactly `len` bytes
/// (`None`: the bytes are already in the output at the object's offset).
pub struct ObjectInput<'a> {
    pub data_type: DataType,
    pub name: String,
    pub partition: Option<PartitionInfo>,
    /// Byte alignment of the object's start (partitions: 4096, others: none).
    pub alignment: u64,
    pub len: u64,
    pub data: Option<Box<dyn Read + 'a>>,
}

impl<'a> ObjectInput<'a> {
    /// A small object held in memory (definition file, JSON metadata).
    pub fn bytes(data_type: DataType, name: impl Into<String>, data: Vec<u8>) -> Self {
        ObjectInput {
            data_type,
            name: name.into(),
            partition: None,
            alignment: 0,
            len: data.len() as u64,
            data: Some(Box::new(io::Cursor::new(data))),
        }
    }

    /// A file system partition read from `data`, aligned as the reference aligns partitions.
    pub fn partition(
        name: impl Into<String>,
        info: PartitionInfo,
        len: u64,
        data: impl Read + 'a,
    ) -> Self {
        ObjectInput {
            data_type: DataType::Partition,
            name: name.into(),
            partition: Some(info),
            alignment: format::PARTITION_ALIGNMENT,
            len,
            data: Some(Box::new(data)),
        }
    }
}

/// Image-wide settings. Everything that would make two builds differ is set here.
#[derive(Debug, Clone)]
pub struct ImageOptions {
    pub id: [u8; 16],
    /// Creation and modification time of the image and of every object (Unix seconds).
    pub time: i64,
    pub descriptor_capacity: usize,
}

impl ImageOptions {
    /// Options for a reproducible image: the id is derived from `key` (for envc, the plan
    /// key), so the same key always gives the same id and different keys different ids.
    pub fn deterministic(key: &str, time: i64) -> Self {
        ImageOptions {
            id: id_from_key(key),
            time,
            descriptor_capacity: format::DEFAULT_DESCRIPTOR_CAPACITY,
        }
    }
}

/// A UUID (version 8, "custom", RFC 9562) made from the SHA-256 of `key`.
pub fn id_from_key(key: &str) -> [u8; 16] {
    let digest = Sha256::new()
        .chain_update(b"envc sif id\0")
        .chain_update(key.as_bytes())
        .finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    id[6] = (id[6] & 0x0f) | 0x80;
    id[8] = (id[8] & 0x3f) | 0x80;
    id
}

/// Where an object lands, computed before anything is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub offset: u64,
    pub size_with_padding: u64,
}

/// The offset of each object of the given (length, alignment) list, in order.
pub fn layout(options: &ImageOptions, objects: &[(u64, u64)]) -> Vec<Placement> {
    let descriptors_size = (options.descriptor_capacity * DESCRIPTOR_LEN) as u64;
    let mut end = format::DESCRIPTORS_OFFSET + descriptors_size;
    objects
        .iter()
        .map(|&(len, alignment)| {
            let offset = format::align_up(end, alignment);
            let place = Placement {
                offset,
                size_with_padding: offset - end + len,
            };
            end = offset + len;
            place
        })
        .collect()
}

/// A partition for [`write_sif`] whose `len` bytes are already in the output at the
/// offset [`layout`] gives it.
pub fn partition_in_place<'a>(
    name: impl Into<String>,
    info: PartitionInfo,
    len: u64,
) -> ObjectInput<'a> {
    ObjectInput {
        data: None,
        ..ObjectInput::partition(name, info, len, io::empty())
    }
}

/// Write a complete SIF image to `out`; returns the file's length.
pub fn write_sif<W: Write + Seek>(
    mut out: W,
    options: &ImageOptions,
    objects: Vec<ObjectInput<'_>>,
) -> Result<u64, SifError> {
    out.seek(SeekFrom::Start(0))?;
    if objects.len() > options.descriptor_capacity {
        return Err(SifError::TooManyObjects {
            count: objects.len(),
            capacity: options.descriptor_capacity,
        });
    }
    let primaries = objects
        .iter()
        .filter(|o| {
            o.partition
                .as_ref()
                .is_some_and(|p| p.part_type == PartType::PrimarySystem)
        })
        .count();
    if primaries > 1 {
        return Err(SifError::SeveralPrimaryPartitions);
    }

    let descriptors_size = (options.descriptor_capacity * DESCRIPTOR_LEN) as u64;
    let data_offset = format::DESCRIPTORS_OFFSET + descriptors_size;
    let sizes: Vec<(u64, u64)> = objects.iter().map(|o| (o.len, o.alignment)).collect();
    let placements = layout(options, &sizes);
    let end = placements
        .iter()
        .zip(&objects)
        .map(|(p, o)| p.offset + o.len)
        .next_back()
        .unwrap_or(data_offset);
    let mut header_arch = *b"00\0";
    for object in &objects {
        if object.name.len() > NAME_LEN {
            return Err(SifError::NameTooLong(object.name.clone()));
        }
        if let Some(partition) = &object.partition {
            let code = format::arch_code(&partition.arch)
                .ok_or_else(|| SifError::UnknownArch(partition.arch.clone()))?;
            if partition.part_type == PartType::PrimarySystem {
                header_arch = code;
            }
        }
    }

    let mut header = Vec::with_capacity(HEADER_LEN);
    let mut launch = [0u8; LAUNCH_LEN];
    launch[..format::LAUNCH_SCRIPT.len()].copy_from_slice(format::LAUNCH_SCRIPT.as_bytes());
    header.extend_from_slice(&launch);
    header.extend_from_slice(format::MAGIC);
    header.extend_from_slice(format::VERSION);
    header.extend_from_slice(&header_arch);
    header.extend_from_slice(&options.id);
    for value in [
        options.time,
        options.time,
        (options.descriptor_capacity - objects.len()) as i64,
        options.descriptor_capacity as i64,
        format::DESCRIPTORS_OFFSET as i64,
        descriptors_size as i64,
        data_offset as i64,
        (end - data_offset) as i64,
    ] {
        header.extend_from_slice(&value.to_le_bytes());
    }
    debug_assert_eq!(header.len(), HEADER_LEN);
    out.write_all(&header)?;
    write_zeros(&mut out, format::DESCRIPTORS_OFFSET - HEADER_LEN as u64)?;

    let mut table = Vec::with_capacity(descriptors_size as usize);
    for (index, (object, place)) in objects.iter().zip(&placements).enumerate() {
        table.extend_from_slice(&object.data_type.code().to_le_bytes());
        table.push(1); // used
        table.extend_from_slice(&(index as u32 + 1).to_le_bytes());
        table.extend_from_slice(&(format::DEFAULT_GROUP | GROUP_MASK).to_le_bytes());
        table.extend_from_slice(&0u32.to_le_bytes()); // not linked
        for value in [
            place.offset as i64,
            object.len as i64,
            place.size_with_padding as i64,
            options.time,
            options.time,
            0, // uid, deprecated
            0, // gid, deprecated
        ] {
            table.extend_from_slice(&value.to_le_bytes());
        }
        let mut name = [0u8; NAME_LEN];
        name[..object.name.len()].copy_from_slice(object.name.as_bytes());
        table.extend_from_slice(&name);
        let mut extra = [0u8; EXTRA_LEN];
        if let Some(partition) = &object.partition {
            extra[0..4].copy_from_slice(&partition.fs_type.code().to_le_bytes());
            extra[4..8].copy_from_slice(&partition.part_type.code().to_le_bytes());
            let code = format::arch_code(&partition.arch)
                .ok_or_else(|| SifError::UnknownArch(partition.arch.clone()))?;
            extra[8..11].copy_from_slice(&code);
        }
        table.extend_from_slice(&extra);
    }
    table.resize(descriptors_size as usize, 0);
    out.write_all(&table)?;

    let mut position = data_offset;
    for (object, place) in objects.into_iter().zip(placements) {
        write_zeros(&mut out, place.offset - position)?;
        match object.data {
            Some(data) => {
                let copied = io::copy(&mut data.take(object.len), &mut out)?;
                if copied != object.len {
                    return Err(SifError::ShortObject {
                        name: object.name,
                        expected: object.len,
                        found: copied,
                    });
                }
            }
            None => {
                out.seek(SeekFrom::Start(place.offset + object.len))?;
            }
        }
        position = place.offset + object.len;
    }
    out.flush()?;
    Ok(position)
}

fn write_zeros<W: Write>(out: &mut W, count: u64) -> io::Result<()> {
    io::copy(&mut io::repeat(0).take(count), out).map(|_| ())
}
