//! One escaping function per format envc writes, so that no string from a config can change
//! the structure of what it is written into.
//!
//! Every value in a config is untrusted: a newline in a file target must not add a `RUN` to a
//! Dockerfile or a `%setup` section to an Apptainer definition, a `,source=/` in a mount
//! source must not add a field to a `--mount` flag. Each format has one module here, and
//! every writer of that format goes through it:
//!
//! - [`shell`]: POSIX shell words (step scripts, `%post`, `--dry-run` lines);
//! - [`dockerfile`]: Dockerfile words, flag values, exec-form arrays, comments and
//!   `.dockerignore` patterns;
//! - [`deffile`]: Apptainer definition-file header values, section lines and shell words;
//! - [`csv`]: the comma-separated fields of the docker CLI's `--mount` and `--gpus` flags;
//! - [`sbatch`]: the words of `#SBATCH` directive lines in a Slurm job script;
//! - [`apptainer_env`]: the values of Apptainer's `--env` (which it expands in the container).
//! - [`purl`]: package URLs and SPDX element IDs in SBOMs.
//!
//! JSON (manifest, devcontainer.json, exec-form arrays) is written by `serde_json`, which
//! escapes every string. A string a format cannot carry exactly is refused with
//! [`Unrepresentable`], never written approximately.

pub mod apptainer_env;
pub mod csv;
pub mod deffile;
pub mod dockerfile;
pub mod purl;
pub mod sbatch;
pub mod shell;

/// A string that a format cannot hold without changing its meaning or the file's structure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{field} `{}` cannot be written into {format}: {reason}", shown(.text))]
pub struct Unrepresentable {
    /// The format, as in "cannot be written into `a Dockerfile`".
    pub format: &'static str,
    /// What the string is, e.g. "the label key" or "the file target".
    pub field: String,
    pub text: String,
    pub reason: &'static str,
}

impl Unrepresentable {
    pub fn new(format: &'static str, field: &str, text: &str, reason: &'static str) -> Self {
        Unrepresentable {
            format,
            field: field.to_owned(),
            text: text.to_owned(),
            reason,
        }
    }
}

/// `text` with control characters written as escapes, so that an error message never
/// carries a raw newline or terminal escape sequence.
pub fn shown(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escape: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escape
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_show_control_characters_escaped() {
        let error = Unrepresentable::new("a Dockerfile", "the label key", "a\nb\u{1b}[0m", "x");
        assert_eq!(
            error.to_string(),
            r"the label key `a\nb\u{1b}[0m` cannot be written into a Dockerfile: x"
        );
    }
}
