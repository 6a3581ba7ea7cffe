//! Host placeholders in run-side strings: `{user}`, `{uid}`, `{gid}`, `{home}`, `{project}`,
//! `{project_slug}`, `{variant}` and `{env:NAME}`.
//!
//! Evaluation never reads the host, so a config says "the host user's home" with a
//! placeholder that `envc up` fills at start time. This module only *checks* them at
//! load time (an unknown placeholder is an input error with a span) and finds build-side
//! strings that try to use one. Syntax: `{name}` is a placeholder; `{{` and `}}` are
//! literal braces; `${...}` is left alone because it is shell syntax, and so is any brace
//! group that does not look like a placeholder name (`{a,b}` brace expansion, awk bodies).

/// The placeholder names a run-side string may use (besides `{env:NAME}`).
pub const NAMES: &[&str] = &[
    "user",
    "uid",
    "gid",
    "home",
    "project",
    "project_slug",
    "variant",
];

/// One placeholder occurrence: its name (`env:HOME` for env lookups) and byte range in the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub name: String,
    pub range: std::ops::Range<usize>,
}

/// Why a string's placeholders are wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceholderError {
    pub message: String,
    pub help: Option<String>,
}

/// Every placeholder-shaped `{...}` group in `text`, valid or not.
pub fn scan(text: &str) -> Vec<Occurrence> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => i += 2,
            b'{' if i > 0 && bytes[i - 1] == b'$' => i += 1,
            b'{' => {
                let rest = &text[i + 1..];
                let Some(end) = rest.find('}') else {
                    i += 1;
                    continue;
                };
                let inner = &rest[..end];
                if looks_like_placeholder(inner) {
                    found.push(Occurrence {
                        name: inner.to_string(),
                        range: i..i + end + 2,
                    });
                    i += end + 2;
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    found
}

/// A brace group is meant as a placeholder when it is an identifier, or `env:` plus anything
/// without spaces: brace expansions (`{a,b}`) and code blocks (`{ print $1 }`) are not.
fn looks_like_placeholder(inner: &str) -> bool {
    if let Some(var) = inner.strip_prefix("env:") {
        return !var.contains(char::is_whitespace);
    }
    !inner.is_empty()
        && inner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && inner
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
}

fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// Check a run-side string: every placeholder must be known.
pub fn check_run(text: &str) -> Result<(), PlaceholderError> {
    for occ in scan(text) {
        if let Some(var) = occ.name.strip_prefix("env:") {
            if !is_env_name(var) {
                return Err(PlaceholderError {
                    message: format!("`{{env:{var}}}` does not name an environment variable"),
                    help: Some(
                        "environment variable names are letters, digits and `_`, not starting with a digit"
                            .into(),
                    ),
                });
            }
            continue;
        }
        if !NAMES.contains(&occ.name.as_str()) {
            let help = match crate::spec::suggest::closest(&occ.name, NAMES.iter().copied()) {
                Some(best) => {
                    format!("did you mean `{{{best}}}`? write `{{{{` for a literal brace")
                }
                None => format!(
                    "known placeholders: {}, `{{env:NAME}}`; write `{{{{` for a literal brace",
                    known_list()
                ),
            };
            return Err(PlaceholderError {
                message: format!("unknown placeholder `{{{}}}`", occ.name),
                help: Some(help),
            });
        }
    }
    Ok(())
}

/// Check a build-side string: it may not use host placeholders, which are only known at start time.
pub fn check_build(text: &str) -> Result<(), PlaceholderError> {
    for occ in scan(text) {
        let is_placeholder = occ.name.starts_with("env:") || NAMES.contains(&occ.name.as_str());
        if is_placeholder {
            return Err(PlaceholderError {
                message: format!(
                    "placeholder `{{{}}}` is not allowed in a build-side field",
                    occ.name
                ),
                help: Some(
                    "host facts are filled when the environment starts, never baked into an image; \
                     move this to `run`, or write `{{` for a literal brace"
                        .into(),
                ),
            });
        }
    }
    Ok(())
}

/// What a placeholder typically becomes on a host, for checking the shape of a run-side
/// string before any host is known (a container name must stay a name, a path a path).
fn sample_value(name: &str) -> &'static str {
    match name {
        "user" => "user",
        "uid" | "gid" => "1000",
        "home" => "/home/user",
        "project" => "/project",
        "project_slug" => "project-0a1b2c3d",
        "variant" => "default",
        _ => "env",
    }
}

/// `text` with every placeholder replaced by a typical value ([`sample_value`]) and `{{`/`}}`
/// by literal braces. `{env:NAME}` is the host user's to give (trusted): it stands for `env`,
/// or for the absolute path `/env` when it starts the string and `env_path_at_start` is set
/// (a path field may take the whole path from the host).
pub fn sample(text: &str, env_path_at_start: bool) -> String {
    let literal = |part: &str| part.replace("{{", "{").replace("}}", "}");
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for occ in scan(text) {
        out.push_str(&literal(&text[at..occ.range.start]));
        if occ.name.starts_with("env:") && occ.range.start == 0 && env_path_at_start {
            out.push_str("/env");
        } else {
            out.push_str(sample_value(&occ.name));
        }
        at = occ.range.end;
    }
    out.push_str(&literal(&text[at..]));
    out
}

fn known_list() -> String {
    NAMES
        .iter()
        .map(|n| format!("`{{{n}}}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholders_and_skips_shell_syntax() {
        let names: Vec<_> = scan("{home}/x ${HOME} {a,b} {{user}} {env:PATH} { print $1 }")
            .into_iter()
            .map(|o| o.name)
            .collect();
        assert_eq!(names, ["home", "env:PATH"]);
    }

    #[test]
    fn run_strings_reject_unknown_names_with_a_suggestion() {
        assert!(check_run("/home/{user}/{project_slug}").is_ok());
        let err = check_run("/home/{usr}").unwrap_err();
        assert_eq!(err.message, "unknown placeholder `{usr}`");
        assert!(err.help.unwrap().contains("`{user}`"));
        assert!(check_run("{env:1X}").is_err());
    }

    #[test]
    fn build_strings_reject_placeholders_but_keep_shell_braces() {
        assert!(check_build("echo ${HOME} {a,b} awk '{print $1}'").is_ok());
        assert!(check_build("chown {uid} /x").is_err());
        assert!(check_build("echo {env:HTTP_PROXY}").is_err());
        assert!(check_build("echo {{uid}}").is_ok());
    }

    #[test]
    fn samples_stand_for_host_values() {
        assert_eq!(
            sample("{home}/.cache/{project_slug}", true),
            "/home/user/.cache/project-0a1b2c3d"
        );
        assert_eq!(sample("{env:DATA}/x", true), "/env/x");
        assert_eq!(sample("{env:DATA}/x", false), "env/x");
        assert_eq!(sample("a{{b}}", true), "a{b}");
    }
}
