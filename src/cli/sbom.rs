//! `envc sbom [--format spdx|cyclonedx] [-o FILE] [--variant V]`: the SBOM of the locked
//! environment (see [`crate::supply`]), on stdout or written atomically to FILE.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::exit::{Outcome, Report};
use crate::supply::{self, SbomFormat};

use super::config_args::ConfigArgs;

/// Write the SBOM.
#[derive(Debug, Args)]
pub struct SbomArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The format: SPDX 2.3 JSON or CycloneDX 1.5 JSON.
    #[arg(long, value_enum, default_value_t = FormatArg::Spdx)]
    pub format: FormatArg,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Spdx,
    Cyclonedx,
}

impl From<FormatArg> for SbomFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Spdx => SbomFormat::Spdx,
            FormatArg::Cyclonedx => SbomFormat::CycloneDx,
        }
    }
}

pub fn run(args: SbomArgs) -> Result<Outcome, Report> {
    let loaded = args.config.load()?;
    let gathered = gather(&loaded)?;
    let bytes = supply::documents::sbom(&gathered, args.format.into(), None);
    emit(&bytes, args.output.as_deref())
}

/// Gather with the engine when one answers; without one the documents describe the lock
/// alone.
pub(crate) fn gather(loaded: &crate::spec::LoadedSpec) -> Result<supply::Gathered, Report> {
    let runtime = super::registry_args::runtime()?;
    runtime.block_on(async {
        let engine = match crate::engine::Engine::connect().await {
            Ok(engine) => Some(engine),
            Err(e) => {
                tracing::warn!("no Docker engine ({e}): describing the lock without the image");
                None
            }
        };
        supply::gather(engine.as_ref(), loaded, true)
            .await
            .map_err(Report::from)
    })
}

/// Print `bytes`, or write them to `output`.
pub(crate) fn emit(bytes: &[u8], output: Option<&std::path::Path>) -> Result<Outcome, Report> {
    match output {
        Some(path) => {
            supply::output::write_document(path, bytes).map_err(Report::from)?;
            Ok(Outcome::Success)
        }
        None => {
            super::print_stdout(&String::from_utf8_lossy(bytes))?;
            Ok(Outcome::Success)
        }
    }
}

/// `envc build --sbom --provenance`: write the documents of the just-built image into
/// `.envc/out/` (`sbom.spdx.json` and `sbom.cdx.json`, `provenance.json`), atomically.
pub(crate) fn write_build_documents(
    loaded: &crate::spec::LoadedSpec,
    sbom: bool,
    provenance: bool,
) -> Result<Vec<std::path::PathBuf>, Report> {
    let gathered = gather(loaded)?;
    let out = loaded.project_root.join(".envc/out");
    std::fs::create_dir_all(&out).map_err(|e| {
        Report::environment(miette::miette!("cannot create `{}`: {e}", out.display()))
    })?;
    let mut written = Vec::new();
    let mut write = |name: &str, bytes: Vec<u8>| -> Result<(), Report> {
        let path = out.join(name);
        supply::output::write_document(&path, &bytes).map_err(Report::from)?;
        written.push(path);
        Ok(())
    };
    if sbom {
        write(
            "sbom.spdx.json",
            supply::documents::sbom(&gathered, SbomFormat::Spdx, None),
        )?;
        write(
            "sbom.cdx.json",
            supply::documents::sbom(&gathered, SbomFormat::CycloneDx, None),
        )?;
    }
    if provenance {
        write(
            "provenance.json",
            supply::documents::provenance(&gathered).map_err(Report::from)?,
        )?;
    }
    Ok(written)
}
