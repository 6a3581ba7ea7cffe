//! `envc show`: the normalized spec — every default filled in, keys sorted, stable bytes —
//! as Nix (default) or JSON.

use clap::Args;

use crate::exit::{Outcome, Report};

use super::config_args::ConfigArgs;

/// Print the normalized spec.
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Print JSON (valid against `envc schema`) instead of Nix.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ShowArgs) -> Result<Outcome, Report> {
    let loaded = args.config.load()?;
    let value = loaded.normalized();
    let text = if args.json {
        serde_json::to_string_pretty(&value).expect("a JSON value always serializes")
    } else {
        let mut out = String::new();
        write_nix(&value, 0, &mut out);
        out
    };
    super::print_stdout(&format!("{text}\n"))?;
    Ok(Outcome::Success)
}

/// Nix syntax for a JSON value, one binding per line.
fn write_nix(value: &serde_json::Value, indent: usize, out: &mut String) {
    use serde_json::Value;
    let pad = "  ".repeat(indent + 1);
    let close = "  ".repeat(indent);
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&nix_string(s)),
        Value::Array(items) if items.is_empty() => out.push_str("[ ]"),
        Value::Array(items) => {
            out.push_str("[\n");
            for item in items {
                out.push_str(&pad);
                write_nix(item, indent + 1, out);
                out.push('\n');
            }
            out.push_str(&close);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{ }"),
        Value::Object(map) => {
            out.push_str("{\n");
            for (key, item) in map {
                out.push_str(&pad);
                out.push_str(&nix_key(key));
                out.push_str(" = ");
                write_nix(item, indent + 1, out);
                out.push_str(";\n");
            }
            out.push_str(&close);
            out.push('}');
        }
    }
}

fn nix_key(key: &str) -> String {
    if crate::spec::decode::is_plain_key(key) {
        key.to_string()
    } else {
        nix_string(key)
    }
}

fn nix_string(s: &str) -> String {
    let mut out = String::new();
    crate::lang::print::nix_string(s, &mut out);
    out
}
