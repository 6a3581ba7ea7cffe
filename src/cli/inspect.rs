//! `envc inspect FILE.sif`: list a SIF's header and objects, and envc's metadata in it.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use crate::exit::{Outcome, Report};
use crate::sif::metadata::read_metadata;
use crate::sif::{SifError, SifImage};

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The SIF file to inspect.
    pub file: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: InspectArgs) -> Result<Outcome, Report> {
    let shown = args.file.display().to_string();
    let mut file = File::open(&args.file)
        .map_err(|e| Report::input(miette::miette!("cannot open `{shown}`: {e}")))?;
    let image = SifImage::read(&mut file).map_err(|e| sif_report(&shown, e))?;
    let metadata = read_metadata(&image, &mut file).map_err(|e| sif_report(&shown, e))?;

    let mut out = std::io::stdout().lock();
    let result = if args.json {
        let metadata = match &metadata {
            None => serde_json::Value::Null,
            Some(Ok(m)) => serde_json::to_value(m).expect("metadata serializes"),
            Some(Err(e)) => json!({ "error": format!("unreadable envc metadata: {e}") }),
        };
        let doc = json!({ "header": image.header, "objects": image.objects, "envc": metadata });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).expect("serializes")
        )
    } else {
        print_table(&mut out, &image, &metadata)
    };
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Report::environment(
            miette::miette!("cannot write to stdout: {e}"),
        )),
        _ => Ok(Outcome::Success),
    }
}

fn sif_report(file: &str, error: SifError) -> Report {
    let diagnostic = miette::miette!("cannot read `{file}`: {error}");
    match error {
        SifError::Io(_) => Report::environment(diagnostic),
        _ => Report::input(diagnostic),
    }
}

fn print_table(
    out: &mut impl Write,
    image: &SifImage,
    metadata: &Option<Result<crate::sif::metadata::EnvcMetadata, serde_json::Error>>,
) -> std::io::Result<()> {
    let h = &image.header;
    writeln!(out, "id:       {}", h.id)?;
    writeln!(out, "version:  {}", h.version)?;
    writeln!(out, "arch:     {}", h.arch)?;
    writeln!(out, "created:  {}", h.created)?;
    writeln!(
        out,
        "objects:  {} of {} descriptors used",
        h.descriptors_total - h.descriptors_free,
        h.descriptors_total
    )?;
    writeln!(out)?;
    let name_width = image
        .objects
        .iter()
        .map(|o| o.name.len())
        .max()
        .unwrap_or(0)
        .max(4);
    writeln!(
        out,
        "{:<4} {:<13} {:<name_width$} {:>12} {:>12}  DETAILS",
        "ID", "TYPE", "NAME", "OFFSET", "SIZE"
    )?;
    for o in &image.objects {
        let details = o
            .partition
            .as_ref()
            .map(|p| format!("{}/{}/{}", p.fs_type.label(), p.part_type.label(), p.arch))
            .unwrap_or_default();
        let name = if o.name.is_empty() { "-" } else { &o.name };
        let row = format!(
            "{:<4} {:<13} {:<name_width$} {:>12} {:>12}  {}",
            o.id,
            o.data_type.label(),
            name,
            o.offset,
            o.size,
            details
        );
        writeln!(out, "{}", row.trim_end())?;
    }
    writeln!(out)?;
    match metadata {
        None => writeln!(out, "envc metadata: none (not built by envc)")?,
        Some(Err(e)) => writeln!(out, "envc metadata: unreadable ({e})")?,
        Some(Ok(m)) => {
            writeln!(out, "envc metadata:")?;
            writeln!(out, "  plan key:      {}", m.plan_key)?;
            writeln!(out, "  rootfs digest: {}", m.rootfs_digest)?;
            let manifest = match &m.manifest {
                serde_json::Value::Null => "none".to_string(),
                v => format!("{} bytes of JSON", v.to_string().len()),
            };
            writeln!(out, "  manifest:      {manifest}")?;
        }
    }
    Ok(())
}
