//! The arguments every command that reads a config shares: `-f FILE` and `--variant NAME`,
//! and the step that turns them into a loaded spec.

use std::path::PathBuf;

use clap::Args;

use crate::exit::Report;
use crate::spec::{self, LoadedSpec};

/// Which config to read and which variant to apply.
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// The config file, or a folder holding one (default: `envc.nix` or `envc.json` in this
    /// folder or the nearest folder above).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Apply this variant (`variants.NAME` in the config).
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
}

impl ConfigArgs {
    /// The config file: `-f`, or found from the current folder upwards.
    pub fn config_path(&self) -> Result<PathBuf, Report> {
        match &self.file {
            // `-f DIR` means the config in that folder (not above it).
            Some(dir) if dir.is_dir() => spec::load::CONFIG_NAMES
                .iter()
                .map(|name| dir.join(name))
                .find(|p| p.is_file())
                .ok_or_else(|| {
                    Report::input(
                        spec::SpecError::new(spec::ErrorKind::NotFound { dir: dir.clone() })
                            .help("name the config file itself with `-f FILE`"),
                    )
                }),
            Some(file) => Ok(file.clone()),
            None => {
                let cwd = std::env::current_dir().map_err(|e| {
                    Report::environment(miette::miette!("cannot read the current folder: {e}"))
                })?;
                spec::discover(&cwd).map_err(Report::input)
            }
        }
    }

    /// Find, load and check the config.
    pub fn load(&self) -> Result<LoadedSpec, Report> {
        let path = self.config_path()?;
        spec::load(&path, self.variant.as_deref()).map_err(Report::input)
    }
}
