//! Reading a SIF file: the global header, the descriptor table, and each object's bytes.
//!
//! Only the header and descriptors are read eagerly (a few tens of kilobytes); object
//! data is read on demand through a bounded reader, so a multi-gigabyte partition is
//! never loaded into memory.

use std::io::{self, Read, Seek, SeekFrom};

use serde::Serialize;

use super::SifError;
use super::format::{
    self, DESCRIPTOR_LEN, DataType, FsType, GROUP_MASK, HEADER_LEN, LAUNCH_LEN, NAME_LEN, PartType,
};

/// The global header of a SIF file.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub launch_script: String,
    pub version: String,
    /// Architecture of the primary partition (OCI name, or "unknown").
    pub arch: String,
    /// The image id in canonical UUID form.
    pub id: String,
    pub created: i64,
    pub modified: i64,
    pub descriptors_free: i64,
    pub descriptors_total: i64,
    pub descriptors_offset: i64,
    pub descriptors_size: i64,
    pub data_offset: i64,
    pub data_size: i64,
}

/// One used descriptor: a data object's type, identity and place in the file.
#[derive(Debug, Clone, Serialize)]
pub struct Object {
    pub id: u32,
    #[serde(serialize_with = "serialize_type")]
    pub data_type: DataType,
    /// Group id without the group mask; `None` when the object is in no group.
    pub group: Option<u32>,
    /// Linked object id, or linked group id when `link_is_group`.
    pub link: Option<u32>,
    pub link_is_group: bool,
    pub offset: u64,
    pub size: u64,
    pub size_with_padding: u64,
    pub created: i64,
    pub modified: i64,
    pub name: String,
    pub partition: Option<PartitionMeta>,
}

/// The type-specific part of a partition descriptor.
#[derive(Debug, Clone, Serialize)]
pub struct PartitionMeta {
    #[serde(serialize_with = "serialize_fs")]
    pub fs_type: FsType,
    #[serde(serialize_with = "serialize_part")]
    pub part_type: PartType,
    pub arch: String,
}

fn serialize_type<S: serde::Serializer>(t: &DataType, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.label())
}
fn serialize_fs<S: serde::Serializer>(t: &FsType, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.label())
}
fn serialize_part<S: serde::Serializer>(t: &PartType, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.label())
}

/// A SIF file's header and objects, read from any seekable source.
#[derive(Debug, Clone, Serialize)]
pub struct SifImage {
    pub header: Header,
    pub objects: Vec<Object>,
}

impl SifImage {
    /// Read and validate the header and descriptor table.
    pub fn read<R: Read + Seek>(source: &mut R) -> Result<Self, SifError> {
        source.seek(SeekFrom::Start(0))?;
        let mut raw = [0u8; HEADER_LEN];
        read_exact_or(source, &mut raw, || SifError::NotSif)?;
        if &raw[LAUNCH_LEN..LAUNCH_LEN + 10] != format::MAGIC {
            return Err(SifError::NotSif);
        }
        let version = c_string(&raw[42..45]);
        if version != "01" {
            return Err(SifError::UnsupportedVersion(version));
        }
        let arch: [u8; 3] = raw[45..48].try_into().expect("slice of 3");
        let id: [u8; 16] = raw[48..64].try_into().expect("slice of 16");
        let int = |index: usize| i64_at(&raw, 64 + 8 * index);
        let header = Header {
            launch_script: c_string(&raw[..LAUNCH_LEN]),
            version,
            arch: format::arch_name(&arch).to_string(),
            id: format_uuid(&id),
            created: int(0),
            modified: int(1),
            descriptors_free: int(2),
            descriptors_total: int(3),
            descriptors_offset: int(4),
            descriptors_size: int(5),
            data_offset: int(6),
            data_size: int(7),
        };
        let total = usize::try_from(header.descriptors_total)
            .ok()
            .filter(|n| *n <= 1 << 16)
            .ok_or(SifError::Corrupt("descriptor count out of range"))?;
        let table_offset = u64::try_from(header.descriptors_offset)
            .map_err(|_| SifError::Corrupt("negative descriptor offset"))?;

        source.seek(SeekFrom::Start(table_offset))?;
        let mut table = vec![0u8; total * DESCRIPTOR_LEN];
        read_exact_or(source, &mut table, || {
            SifError::Corrupt("descriptor table is truncated")
        })?;
        let file_len = source.seek(SeekFrom::End(0))?;

        let mut objects = Vec::new();
        for raw in table.chunks_exact(DESCRIPTOR_LEN) {
            if raw[4] == 0 {
                continue; // unused slot
            }
            let object = parse_descriptor(raw)?;
            if object
                .offset
                .checked_add(object.size)
                .is_none_or(|end| end > file_len)
            {
                return Err(SifError::ObjectOutOfBounds { id: object.id });
            }
            objects.push(object);
        }
        Ok(SifImage { header, objects })
    }

    /// The primary system partition, the one Apptainer runs.
    pub fn primary_partition(&self) -> Option<&Object> {
        self.objects.iter().find(|o| {
            o.partition
                .as_ref()
                .is_some_and(|p| p.part_type == PartType::PrimarySystem)
        })
    }

    /// The first object of `data_type` named `name`.
    pub fn find(&self, data_type: DataType, name: &str) -> Option<&Object> {
        self.objects
            .iter()
            .find(|o| o.data_type == data_type && o.name == name)
    }

    /// A reader over exactly the bytes of `object`.
    pub fn object_reader<'r, R: Read + Seek>(
        &self,
        source: &'r mut R,
        object: &Object,
    ) -> io::Result<io::Take<&'r mut R>> {
        source.seek(SeekFrom::Start(object.offset))?;
        Ok(source.take(object.size))
    }

    /// The bytes of a small object (definition file, JSON); refuses objects over `limit`.
    pub fn object_bytes<R: Read + Seek>(
        &self,
        source: &mut R,
        object: &Object,
        limit: u64,
    ) -> Result<Vec<u8>, SifError> {
        if object.size > limit {
            return Err(SifError::ObjectTooLarge {
                id: object.id,
                size: object.size,
            });
        }
        let mut data = Vec::with_capacity(object.size as usize);
        self.object_reader(source, object)?.read_to_end(&mut data)?;
        Ok(data)
    }
}

fn parse_descriptor(raw: &[u8]) -> Result<Object, SifError> {
    let u32_at = |at: usize| u32::from_le_bytes(raw[at..at + 4].try_into().expect("4 bytes"));
    let data_type = DataType::from_code(u32_at(0) as i32);
    let id = u32_at(5);
    let group = u32_at(9);
    let link = u32_at(13);
    let int = |index: usize| i64_at(raw, 17 + 8 * index);
    let non_negative = |value: i64| {
        u64::try_from(value).map_err(|_| SifError::Corrupt("negative object offset or size"))
    };
    let name_at = 17 + 7 * 8;
    let extra = &raw[name_at + NAME_LEN..];
    let partition = (data_type == DataType::Partition).then(|| {
        let code = |at: usize| i32::from_le_bytes(extra[at..at + 4].try_into().expect("4 bytes"));
        PartitionMeta {
            fs_type: FsType::from_code(code(0)),
            part_type: PartType::from_code(code(4)),
            arch: format::arch_name(extra[8..11].try_into().expect("3 bytes")).to_string(),
        }
    });
    Ok(Object {
        id,
        data_type,
        group: (group & GROUP_MASK == GROUP_MASK && group != GROUP_MASK)
            .then_some(group & !GROUP_MASK),
        link: (link & !GROUP_MASK != 0).then_some(link & !GROUP_MASK),
        link_is_group: link & GROUP_MASK == GROUP_MASK,
        offset: non_negative(int(0))?,
        size: non_negative(int(1))?,
        size_with_padding: non_negative(int(2))?,
        created: int(3),
        modified: int(4),
        name: c_string(&raw[name_at..name_at + NAME_LEN]),
        partition,
    })
}

fn read_exact_or<R: Read>(
    source: &mut R,
    buf: &mut [u8],
    short: impl FnOnce() -> SifError,
) -> Result<(), SifError> {
    match source.read_exact(buf) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(short()),
        Err(e) => Err(e.into()),
    }
}

fn i64_at(raw: &[u8], at: usize) -> i64 {
    i64::from_le_bytes(raw[at..at + 8].try_into().expect("8 bytes"))
}

fn c_string(raw: &[u8]) -> String {
    let end = raw.iter().position(|b| *b == 0).unwrap_or(raw.len());
    String::from_utf8_lossy(&raw[..end]).into_owned()
}

/// Canonical 8-4-4-4-12 hex form of a UUID.
pub fn format_uuid(id: &[u8; 16]) -> String {
    let hex = hex::encode(id);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
