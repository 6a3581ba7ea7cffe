//! `envc images`: envc's images in the engine, with keys, sizes, and which the current
//! config (in this folder or above, all its variants) still uses.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use clap::Args;

use crate::build::inventory::{self, EnvcImage};
use crate::engine::Engine;
use crate::exit::{Outcome, Report};
use crate::plan::Key;

use super::config_args::ConfigArgs;

/// List envc's images.
#[derive(Debug, Args)]
pub struct ImagesArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also list intermediate step images (by default only finished images).
    #[arg(short, long)]
    pub all: bool,
}

pub fn run(args: ImagesArgs) -> Result<Outcome, Report> {
    let current = current_keys(&args.config);
    let images = super::gc::with_engine(|engine: Engine| async move {
        inventory::list(&engine).await.map_err(Report::from)
    })?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<44} {:<12} {:<7} {:>9}  CURRENT",
        "IMAGE", "KEY", "STEP", "SIZE"
    );
    for image in &images {
        let names = image.names();
        if names.is_empty() && !args.all {
            continue;
        }
        let shown = if names.is_empty() {
            match image.own_tags().first() {
                // Step tags carry the full key, which the KEY column shortens.
                Some(tag) => tag.chars().take(22).collect(),
                None => short_id(image),
            }
        } else {
            names.join(",")
        };
        let key = image.key.map(|k| k.short()).unwrap_or_else(|| "-".into());
        let is_current = match (image.key, &current) {
            (Some(k), Some((last, all))) if k == *last => "yes",
            (Some(k), Some((_, all))) if all.contains(&k) => "step",
            _ => "",
        };
        let _ = writeln!(
            out,
            "{shown:<44} {key:<12} {:<7} {:>9}  {is_current}",
            image.kind,
            human_size(image.size)
        );
    }
    super::print_stdout(&out)?;
    Ok(Outcome::Success)
}

/// The finished keys and every step key of the current config's plans (all variants), or
/// `None` when there is no config here.
fn current_keys(config: &ConfigArgs) -> Option<(Key, BTreeSet<Key>)> {
    let plans = super::gc::current_plans(config).ok()?;
    let last = plans.first()?.key();
    let mut all = BTreeSet::new();
    for plan in &plans {
        all.extend(inventory::plan_keys(plan));
    }
    Some((last, all))
}

fn short_id(image: &EnvcImage) -> String {
    let id = image.id.trim_start_matches("sha256:");
    id[..id.len().min(12)].to_owned()
}

/// Bytes as people read them (`1.2 GB`).
pub fn human_size(bytes: i64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes.max(0) as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < units.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}
