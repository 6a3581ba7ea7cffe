//! Native SIF assembly: an image's filesystem tar in, a runnable SIF out.
//!
//! `assemble` streams the tar (as `docker export` produces it) once: the squashfs
//! builder consumes it while a second thread computes the rootfs digest from a copy of
//! the same bytes, so the digest recorded in the SIF costs no second read. The SIF
//! holds, in this order:
//! 1. the definition file (the emitted `.def`), as Apptainer records it;
//! 2. `oci-config.json`, the image config, where Apptainer keeps it;
//! 3. `envc.json`, envc's metadata (plan key, rootfs digest, run manifest);
//! 4. the squashfs partition, the primary system partition.
//!
//! Given the same tar, config, text, key and time, the output is byte-identical. The
//! file is written under a temporary name and renamed into place only when complete,
//! so an interrupted build never leaves a file that claims a key.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

use super::apptainer_meta::{ImageConfig, MetaError, metadata_tree};
use super::metadata::{EnvcMetadata, OBJECT_NAME, canonical_json};
use super::squashfs::{SquashfsError, SquashfsOptions, build_squashfs_at};
use super::writer::{
    ImageOptions, ObjectInput, PartitionInfo, layout, partition_in_place, write_sif,
};
use super::{DataType, FsType, PartType, SifError, format};
use crate::rootfs::{self, Listing, RootfsError};

/// Everything besides the filesystem that goes into the SIF.
#[derive(Debug, Clone)]
pub struct AssembleInput<'a> {
    /// The emitted Apptainer definition file.
    pub def_text: &'a str,
    pub config: &'a ImageConfig,
    /// The plan key; also seeds the SIF's id.
    pub plan_key: &'a str,
    /// The run manifest, stored opaque.
    pub manifest: serde_json::Value,
    /// OCI architecture name of the image (`amd64`, …).
    pub arch: &'a str,
    /// The one timestamp used everywhere (SIF header, objects, squashfs): normally
    /// `SOURCE_DATE_EPOCH`, else 0.
    pub time: u32,
}

/// What an assembly produced.
#[derive(Debug, Clone)]
pub struct Assembled {
    pub path: PathBuf,
    pub rootfs_digest: String,
    /// The listing behind the digest, with the excluded paths.
    pub listing: Listing,
    pub squashfs_bytes: u64,
    pub sif_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum AssembleError {
    #[error(transparent)]
    Meta(#[from] MetaError),
    #[error(transparent)]
    Squashfs(#[from] SquashfsError),
    #[error("computing the rootfs digest failed: {0}")]
    Digest(#[from] RootfsError),
    #[error(transparent)]
    Sif(#[from] SifError),
    #[error("cannot read `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write `{path}`")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Read `rootfs_tar` to its end and write the SIF to `out`.
pub fn assemble<R: Read>(
    rootfs_tar: R,
    input: &AssembleInput<'_>,
    out: &Path,
) -> Result<Assembled, AssembleError> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let write_err = |source: io::Error| AssembleError::Write {
        path: out.to_path_buf(),
        source,
    };
    let tree = metadata_tree(input.config)?;

    // The SIF is written under a temporary name next to the output. The squashfs goes
    // straight to its final offset in it: that offset depends only on the objects before
    // it, and envc's metadata (which needs the digest) comes after it.
    let options = ImageOptions::deterministic(input.plan_key, i64::from(input.time));
    let def = input.def_text.as_bytes().to_vec();
    let oci_config =
        canonical_json(&serde_json::to_value(input.config).expect("config serializes"))
            .into_bytes();
    let partition_offset = layout(
        &options,
        &[
            (def.len() as u64, 0),
            (oci_config.len() as u64, 0),
            (0, format::PARTITION_ALIGNMENT),
        ],
    )[2]
    .offset;
    let partial = tempfile::Builder::new()
        .prefix(&crate::leftovers::temp_prefix("sif"))
        .tempfile_in(dir)
        .map_err(write_err)?;

    let (sender, receiver) = mpsc::sync_channel::<Vec<u8>>(16);
    let digest_thread = thread::spawn(move || {
        rootfs::tar::list_tar(ChannelReader {
            receiver,
            current: Vec::new(),
            position: 0,
        })
    });
    // The buffer sits above the tee so that the tee sees few, large reads: the tar
    // reader's own reads are small (headers, 8 KiB copies) and a channel send each
    // would make the two threads wait on each other.
    let tee = BufReader::with_capacity(
        1 << 20,
        TeeReader {
            inner: rootfs_tar,
            sender: Some(sender),
        },
    );
    let built = build_squashfs_at(
        tee,
        &tree,
        SquashfsOptions::new(input.time),
        BufWriter::with_capacity(1 << 20, partial.as_file()),
        partition_offset,
    );
    // The tee is dropped by now, which ends the digest thread's stream.
    let listing = digest_thread.join().map_err(|_| AssembleError::Write {
        path: out.to_path_buf(),
        source: io::Error::other("the digest thread panicked"),
    })?;
    let stats = built?;
    let listing = listing?;
    let rootfs_digest = listing.digest();
    let squashfs_len = stats.image_bytes;

    let metadata = EnvcMetadata::new(
        input.plan_key.to_string(),
        rootfs_digest.clone(),
        input.manifest.clone(),
    );
    let partition = PartitionInfo {
        fs_type: FsType::Squashfs,
        part_type: PartType::PrimarySystem,
        arch: input.arch.to_string(),
    };
    let objects = vec![
        ObjectInput::bytes(DataType::Deffile, "", def),
        ObjectInput::bytes(DataType::GenericJson, "oci-config.json", oci_config),
        partition_in_place("", partition, squashfs_len),
        ObjectInput::bytes(DataType::GenericJson, OBJECT_NAME, metadata.to_bytes()),
    ];
    let sif_bytes = write_sif(
        BufWriter::with_capacity(1 << 20, partial.as_file()),
        &options,
        objects,
    )?;
    partial
        .as_file()
        .set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .map_err(write_err)?;
    partial.persist(out).map_err(|e| write_err(e.error))?;
    Ok(Assembled {
        path: out.to_path_buf(),
        rootfs_digest,
        listing,
        squashfs_bytes: squashfs_len,
        sif_bytes,
    })
}

/// Passes reads through and sends a copy of every chunk to the digest thread.
struct TeeReader<R> {
    inner: R,
    sender: Option<mpsc::SyncSender<Vec<u8>>>,
}

impl<R: Read> Read for TeeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0
            && let Some(sender) = &self.sender
            && sender.send(buf[..n].to_vec()).is_err()
        {
            // The digest side stopped (it failed); its error is reported after the
            // build, so keep feeding the builder.
            self.sender = None;
        }
        Ok(n)
    }
}

/// The digest thread's end of the tee.
struct ChannelReader {
    receiver: mpsc::Receiver<Vec<u8>>,
    current: Vec<u8>,
    position: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.position == self.current.len() {
            match self.receiver.recv() {
                Ok(chunk) => {
                    self.current = chunk;
                    self.position = 0;
                }
                Err(_) => return Ok(0), // the sender is gone: end of stream
            }
        }
        let n = buf.len().min(self.current.len() - self.position);
        buf[..n].copy_from_slice(&self.current[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

/// Shorthand for callers holding a tar on disk.
pub fn assemble_from_file(
    tar: &Path,
    input: &AssembleInput<'_>,
    out: &Path,
) -> Result<Assembled, AssembleError> {
    let file = File::open(tar).map_err(|source| AssembleError::Read {
        path: tar.to_path_buf(),
        source,
    })?;
    assemble(file, input, out)
}
