//! `envc digest FILE.tar|FILE.sif|-|IMAGE`: the rootfs digest of a filesystem tar (a Docker
//! export; `-` reads it from stdin), of a SIF's squashfs partition, or of an engine image.
//!
//! A file's kind is chosen from its first bytes. A source that is not an existing file is
//! taken as an image reference and digested from the engine's export stream
//! ([`crate::engine::list_image`]), through the same [`crate::rootfs::tar::list_tar`].

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use crate::error_chain::error_chain;
use crate::exit::{Outcome, Report};
use crate::rootfs::{self, EXCLUSIONS, Listing, RootfsError};

#[derive(Debug, Args)]
pub struct DigestArgs {
    /// A filesystem tar (`docker export`), a SIF file, `-` for a tar on stdin, or an image
    /// in the engine (any source that is not an existing file).
    pub source: PathBuf,
    /// Print JSON: the digest, counts, every excluded path with its rule, and the rules.
    #[arg(long)]
    pub json: bool,
    /// Also list every entry that went into the digest.
    #[arg(long)]
    pub entries: bool,
}

pub fn run(args: DigestArgs) -> Result<Outcome, Report> {
    let shown = args.source.display().to_string();
    let listing = if args.source != Path::new("-") && !args.source.exists() {
        list_image(&shown)?
    } else {
        list(&args.source).map_err(|e| {
            let diagnostic = miette::miette!("cannot compute the rootfs digest of `{shown}`: {e}");
            match e {
                RootfsError::Io(_) => Report::environment(diagnostic),
                _ => Report::input(diagnostic),
            }
        })?
    };
    let digest = listing.digest();
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        let mut doc = json!({
            "source": shown,
            "digest": digest,
            "entries": listing.entries.len(),
            "excluded": listing.excluded,
            "rules": EXCLUSIONS,
        });
        if args.entries {
            doc["entry_list"] = serde_json::to_value(&listing.entries).expect("serializes");
        }
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).expect("serializes")
        )
    } else {
        print_human(&mut out, &shown, &digest, &listing, args.entries)
    };
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Report::environment(
            miette::miette!("cannot write to stdout: {e}"),
        )),
        _ => Ok(Outcome::Success),
    }
}

/// The listing of an engine image, from its export stream.
fn list_image(reference: &str) -> Result<Listing, Report> {
    super::gc::with_engine(|engine| async move {
        crate::engine::list_image(&engine, reference)
            .await
            .map_err(|e| match e {
                crate::engine::ImageListError::Engine(e) => Report::from(e),
                other => Report::found(miette::miette!(
                    "cannot compute the rootfs digest of `{reference}`: {}",
                    error_chain(&other)
                )),
            })
    })
}

/// Read the source as a SIF when it starts like one, as a tar otherwise.
fn list(source: &Path) -> Result<Listing, RootfsError> {
    if source == Path::new("-") {
        return rootfs::tar::list_tar(BufReader::with_capacity(1 << 20, std::io::stdin().lock()));
    }
    let mut file = File::open(source)?;
    let mut head = [0u8; 64];
    let n = read_up_to(&mut file, &mut head)?;
    if head[..n].windows(9).any(|w| w == b"SIF_MAGIC") {
        drop(file);
        crate::sif::list_sif(source)
    } else {
        let file = File::open(source)?;
        rootfs::tar::list_tar(BufReader::with_capacity(1 << 20, file))
    }
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn print_human(
    out: &mut impl Write,
    source: &str,
    digest: &str,
    listing: &Listing,
    entries: bool,
) -> std::io::Result<()> {
    writeln!(out, "{digest}  {source}")?;
    writeln!(out, "entries: {}", listing.entries.len())?;
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for excluded in &listing.excluded {
        *by_rule.entry(excluded.rule).or_default() += 1;
    }
    if by_rule.is_empty() {
        writeln!(out, "excluded: none")?;
    } else {
        writeln!(out, "excluded:")?;
        for rule in EXCLUSIONS {
            if let Some(count) = by_rule.get(rule.path) {
                writeln!(out, "  /{} ({count}): {}", rule.path, rule.reason)?;
            }
        }
    }
    if entries {
        for e in &listing.entries {
            let detail = match (&e.sha256, &e.link) {
                (Some(sha), _) => hex::encode(sha),
                (_, Some(link)) => format!("-> {}", String::from_utf8_lossy(link)),
                _ => String::new(),
            };
            writeln!(
                out,
                "{:<7} {:04o} {}:{} {:>10} {} {}",
                e.kind.name(),
                e.mode,
                e.uid,
                e.gid,
                e.size,
                e.display_path(),
                detail
            )?;
        }
    }
    Ok(())
}
