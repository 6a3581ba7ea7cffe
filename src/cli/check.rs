//! `envc check`: evaluate, merge and validate the config (and every variant), then print a
//! short summary.

use std::fmt::Write as _;

use clap::Args;

use crate::exit::{Outcome, Report};
use crate::spec::model::{Base, Gpu, UserMode};
use crate::spec::{self, LoadedSpec};

use super::config_args::ConfigArgs;

/// Check the config: evaluate, merge, validate; print a summary or the errors.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
}

pub fn run(args: CheckArgs) -> Result<Outcome, Report> {
    let path = args.config.config_path()?;
    let loaded = spec::load(&path, args.config.variant.as_deref()).map_err(Report::input)?;
    // Without `--variant`, every variant must check too: a broken variant is a broken config.
    let mut checked_variants = Vec::new();
    if args.config.variant.is_none() {
        for name in loaded.spec.variants.keys() {
            spec::load(&path, Some(name.as_str())).map_err(Report::input)?;
            checked_variants.push(name.to_string());
        }
    }
    super::print_stdout(&summary(&loaded, &checked_variants))?;
    Ok(Outcome::Success)
}

fn summary(loaded: &LoadedSpec, variants: &[String]) -> String {
    let spec = &loaded.spec;
    let mut out = String::new();
    let name = match &loaded.variant {
        Some(v) => format!("`{}` (variant `{v}`)", spec.name),
        None => format!("`{}`", spec.name),
    };
    let files = loaded
        .modules
        .iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(out, "ok: {name} from {files}");
    let base = match &spec.base {
        Base::Image(image) => format!("image {image}"),
        Base::Debootstrap(d) => format!("debootstrap {} ({})", d.suite, d.variant),
        Base::Archive(a) => format!("archive {}", a.path),
    };
    let _ = writeln!(out, "  base:     {base} [{}]", spec.platform.as_str());
    let b = &spec.build;
    let _ = writeln!(
        out,
        "  build:    {} apt, {} pip, {} files, {} steps",
        b.apt.len(),
        b.pip.packages.len(),
        b.files.len(),
        b.steps.len()
    );
    let r = &spec.run;
    let user = match r.user.mode {
        UserMode::Host => "host user".to_string(),
        UserMode::Fixed => format!("uid {}", r.user.uid.unwrap_or_default()),
        UserMode::Root => "root".to_string(),
    };
    let gpu = match &r.gpu {
        Gpu::None => "none".to_string(),
        Gpu::All => "all".to_string(),
        Gpu::Auto => "auto".to_string(),
        Gpu::Count(n) => n.to_string(),
        Gpu::Devices(ids) => ids.join(","),
    };
    let project = if r.project.enable {
        r.project.target.to_string()
    } else {
        "not mounted".to_string()
    };
    let _ = writeln!(
        out,
        "  run:      {user}, project at {project}, {} mounts, {} volumes, {} ports, gpu {gpu}",
        r.mounts.len(),
        r.volumes.len(),
        r.ports.len()
    );
    if !spec.services.is_empty() {
        let names: Vec<&str> = spec.services.keys().map(|n| n.as_str()).collect();
        let _ = writeln!(out, "  services: {}", names.join(", "));
    }
    let mut targets = Vec::new();
    if spec.targets.docker.enable {
        targets.push("docker");
    }
    if spec.targets.apptainer.enable {
        targets.push("apptainer");
    }
    let _ = writeln!(out, "  targets:  {}", targets.join(", "));
    if !variants.is_empty() {
        let _ = writeln!(out, "  variants: {} (each checked)", variants.join(", "));
    }
    out
}
