//! `envc schema`: print the JSON Schema (draft 2020-12) for `envc.json` files.

use clap::Args;

use crate::exit::{Outcome, Report};

/// Print the JSON Schema for `envc.json` files.
#[derive(Debug, Args)]
pub struct SchemaArgs {}

pub fn run(_args: SchemaArgs) -> Result<Outcome, Report> {
    let schema = crate::spec::schema::config_schema();
    let text = serde_json::to_string_pretty(&schema).expect("a JSON value always serializes");
    super::print_stdout(&format!("{text}\n"))?;
    Ok(Outcome::Success)
}
