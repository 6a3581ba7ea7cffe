//! An Apptainer/Singularity definition file (`*.def` or `Singularity` in the project root):
//! the header's base (`Bootstrap: docker` + `From:`, or `Bootstrap: debootstrap` +
//! `OSVersion:`), the packages `%post` installs with apt, `%environment`'s variables and
//! `%labels`. The rest of `%post`, `%files` and `%runscript` are reported.

use crate::init::draft::{BaseDraft, Draft, Found, Origin, short};
use crate::init::files::Project;
use crate::init::shell;

/// What one definition file says, with the line of each part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Definition {
    /// Header keys (lowercased) and values, with lines.
    pub header: Vec<(String, String, usize)>,
    /// Sections by name (without `%`, lowercased): the first line of the body and the body.
    pub sections: Vec<(String, usize, String)>,
}

impl Definition {
    pub fn header(&self, key: &str) -> Option<(&str, usize)> {
        self.header
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, l)| (v.as_str(), *l))
    }

    pub fn sections<'a>(&'a self, name: &'a str) -> impl Iterator<Item = (usize, &'a str)> + 'a {
        self.sections
            .iter()
            .filter(move |(n, _, _)| n == name)
            .map(|(_, l, body)| (*l, body.as_str()))
    }
}

/// Split a definition file into its header and sections, as Apptainer does: the header is
/// `Key: value` lines up to the first line starting with `%`; a section runs to the next.
pub fn parse(text: &str) -> Definition {
    let mut def = Definition::default();
    let mut current: Option<(String, usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix('%') {
            let name = rest
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if let Some(done) = current.take() {
                def.sections.push(done);
            }
            current = Some((name, number + 1, String::new()));
            continue;
        }
        match &mut current {
            Some((_, _, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {
                if trimmed.starts_with('#') || trimmed.is_empty() {
                    continue;
                }
                if let Some((k, v)) = trimmed.split_once(':') {
                    def.header
                        .push((k.trim().to_ascii_lowercase(), v.trim().to_owned(), number));
                }
            }
        }
    }
    if let Some(done) = current.take() {
        def.sections.push(done);
    }
    def
}

pub fn detect(project: &Project, draft: &mut Draft) {
    let mut files = project.files_ending(".def");
    if project.has("Singularity") {
        files.insert(0, "Singularity".into());
    }
    let Some(rel) = files.first().cloned() else {
        return;
    };
    for other in &files[1..] {
        draft.skip(&Origin::new(other, None), format!("not read: `{rel}` was"));
    }
    let Some(text) = super::read_text(project, draft, &rel) else {
        return;
    };
    let def = parse(&text);
    if def.header("bootstrap").is_none() {
        draft.skip(&Origin::new(&rel, None), "not read: no `Bootstrap:` header");
        return;
    }
    draft.sources.push(rel.clone());
    apply(draft, &rel, &def);
}

fn apply(draft: &mut Draft, rel: &str, def: &Definition) {
    let at = |line: usize| Origin::new(rel, Some(line));
    if let Some((bootstrap, line)) = def.header("bootstrap") {
        match bootstrap.to_ascii_lowercase().as_str() {
            "docker" | "docker-daemon" | "oras" | "library" => match def.header("from") {
                Some((from, line)) => {
                    // Apptainer allows an untagged `From:`, meaning `latest`; envc does not.
                    draft.set_image(&at(line), from);
                }
                None => draft.skip(&at(line), "`Bootstrap` without `From:`"),
            },
            "debootstrap" => match def.header("osversion") {
                Some((suite, line)) if draft.base.is_none() => {
                    if let Some(suite) = draft.build_text(&at(line), "suite", suite) {
                        draft.base = Some(Found {
                            value: BaseDraft::Debootstrap {
                                suite,
                                extra_suites: Vec::new(),
                            },
                            origin: at(line),
                        });
                        draft.noted(&at(line), "a debootstrap base");
                    }
                }
                Some(_) => {}
                None => draft.skip(&at(line), "`Bootstrap: debootstrap` without `OSVersion:`"),
            },
            other => draft.skip(&at(line), format!("`Bootstrap: {}`", short(other))),
        }
    }
    for (line, body) in def.sections("post") {
        let script = shell::analyse(body);
        for p in &script.apt {
            draft.add_apt(&at(line), p);
        }
        for p in &script.apk {
            draft.skip(&at(line), format!("apk package `{p}`"));
        }
        for w in &script.unresolved {
            draft.skip(
                &at(line),
                format!("package `{}`: not a plain package name", short(w)),
            );
        }
        for c in &script.other {
            draft.skip(
                &at(line),
                format!(
                    "`%post` command `{}`: add it to `build.steps` if the image needs it",
                    short(c)
                ),
            );
        }
    }
    for (line, body) in def.sections("environment") {
        for (i, raw) in body.lines().enumerate() {
            let origin = at(line + i);
            let text = raw.trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            let assignment = text.strip_prefix("export ").unwrap_or(text).trim();
            let Some((name, value)) = assignment.split_once('=') else {
                draft.skip(&origin, format!("`%environment` line `{}`", short(text)));
                continue;
            };
            let empty = std::collections::BTreeMap::new();
            match crate::init::dockerfile::words::process(value, &empty, '\\') {
                crate::init::dockerfile::words::Expanded::Known(v) => {
                    draft.set_build_env(&origin, name.trim(), &v)
                }
                _ => draft.skip(
                    &origin,
                    format!(
                        "`{}`: refers to variables only the container knows",
                        short(text)
                    ),
                ),
            }
        }
    }
    for (line, body) in def.sections("labels") {
        for (i, raw) in body.lines().enumerate() {
            let text = raw.trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            let (k, v) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
            draft.set_label(&at(line + i), k, v.trim());
        }
    }
    for (name, line, _) in &def.sections {
        if !matches!(name.as_str(), "post" | "environment" | "labels" | "help") {
            draft.skip(&at(line.saturating_sub(1)), format!("section `%{name}`"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_sections() {
        let def = parse(
            "Bootstrap: docker\nFrom: ubuntu:22.04\n\n%post\n    apt-get install -y gcc\n%environment\n    export A=1\n",
        );
        assert_eq!(def.header("from"), Some(("ubuntu:22.04", 2)));
        assert_eq!(
            def.sections("post").next(),
            Some((5, "    apt-get install -y gcc\n"))
        );
        assert_eq!(def.sections("environment").count(), 1);
    }
}
