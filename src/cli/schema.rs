//! `envc schema`: print the JSON Schema for `envc.json` files (draft 2020-12, or draft-07
//! with `--draft 7`). The same texts are committed under `schema/` for catalogs and editors.

use clap::{Args, ValueEnum};

use crate::exit::{Outcome, Report};
use crate::spec::schema::Draft;

/// Print the JSON Schema for `envc.json` files.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The JSON Schema draft to write.
    #[arg(long, value_enum, default_value = "2020-12")]
    pub draft: DraftArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DraftArg {
    #[value(name = "7", alias = "07", alias = "draft-07")]
    Seven,
    #[value(name = "2020-12")]
    Twenty,
}

pub fn run(args: SchemaArgs) -> Result<Outcome, Report> {
    super::print_stdout(&render(args.draft))?;
    Ok(Outcome::Success)
}

/// The schema text `envc schema --draft DRAFT` prints (pretty JSON and a final newline).
pub fn render(draft: DraftArg) -> String {
    let draft = match draft {
        DraftArg::Seven => Draft::Draft7,
        DraftArg::Twenty => Draft::Draft2020_12,
    };
    let schema = crate::spec::schema::config_schema_for(draft);
    let text = serde_json::to_string_pretty(&schema).expect("a JSON value always serializes");
    format!("{text}\n")
}
