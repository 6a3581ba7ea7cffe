//! Find and evaluate a config's modules: the config file and, depth first, everything it
//! `imports`, in merge order (imports before the importing file).
//!
//! Imports are project files (`./gpu.nix`, `"./base.json"`, relative to the importing file)
//! or built-in modules (`<envc/python-uv>`). Reading stays inside the project root, so a
//! config evaluates the same on every machine. A file imported twice is merged once (as in
//! nixpkgs); a file that imports itself is an error naming the chain.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::lang::{Data, Located};
use crate::source::{SourceFile, Span};
use crate::spec::error::{ErrorKind, SpecError};
use crate::spec::load::LoadOptions;
use crate::spec::{json, nix};

/// The folder built-in modules appear under in evaluated paths (`<envc/x.nix>` is
/// `/<envc>/x.nix`), as the evaluator names them.
pub use crate::lang::paths::EMBEDDED_ROOT;

/// One evaluated module, with its `imports` taken out.
#[derive(Debug, Clone)]
pub struct Module {
    /// The name shown in messages (`envc.nix`, `nix/gpu.nix`, `<envc/cuda.nix>`).
    pub name: String,
    /// The file's path (`/<envc>/NAME` for built-in modules).
    pub path: PathBuf,
    pub value: Located,
}

/// Evaluate `config` and its imports, in merge order.
pub fn collect(config: &Path, root: &Path) -> Result<Vec<Module>, SpecError> {
    collect_with(config, root, &LoadOptions::default())
}

/// [`collect`], reading the texts of `opts.overlay` in place of those files on disk.
pub fn collect_with(
    config: &Path,
    root: &Path,
    opts: &LoadOptions,
) -> Result<Vec<Module>, SpecError> {
    let mut loader = Loader {
        root,
        opts,
        seen: HashSet::new(),
        stack: Vec::new(),
        modules: Vec::new(),
    };
    loader.load(config, None)?;
    Ok(loader.modules)
}

struct Loader<'a> {
    root: &'a Path,
    opts: &'a LoadOptions,
    seen: HashSet<PathBuf>,
    stack: Vec<PathBuf>,
    modules: Vec<Module>,
}

impl Loader<'_> {
    fn load(&mut self, path: &Path, imported_at: Option<(&Span, &str)>) -> Result<(), SpecError> {
        if let Some(pos) = self.stack.iter().position(|p| p == path) {
            let chain = self.stack[pos..]
                .iter()
                .chain(std::iter::once(&path.to_path_buf()))
                .map(|p| format!("`{}`", display_name(p, self.root)))
                .collect::<Vec<_>>()
                .join(" → ");
            let mut err = SpecError::new(ErrorKind::ImportCycle {
                file: display_name(path, self.root),
                chain,
            });
            if let Some((span, _)) = imported_at {
                err = err.at(Some(span), "imported again here");
            }
            return Err(err.help("a module is merged once; remove one of the imports in the cycle"));
        }
        if !self.seen.insert(path.to_path_buf()) {
            return Ok(());
        }
        let value = self.evaluate(path, imported_at)?;
        let name = display_name(path, self.root);
        self.stack.push(path.to_path_buf());
        self.add(path, name, value, "this is the file's value")?;
        self.stack.pop();
        Ok(())
    }

    /// Add one module's value (a file's, or an inline attribute set in `imports`) after
    /// the modules it imports. `path` is the file it is written in.
    fn add(
        &mut self,
        path: &Path,
        name: String,
        value: Located,
        what: &str,
    ) -> Result<(), SpecError> {
        let Data::Attrs(mut attrs) = value.data else {
            let found = describe(&value.data);
            return Err(SpecError::new(ErrorKind::NotAttrs { found })
                .at(value.span.as_ref(), what)
                .help("a config or module is an attribute set `{ ... }`, or a function `{ lib, ... }: { ... }`"));
        };
        // `$schema` is for editors (a JSON file naming its schema); it is not part of the spec.
        attrs.remove("$schema");
        if let Some(imports) = attrs.remove("imports") {
            let list = match imports.data {
                Data::List(items) => items,
                other => {
                    return Err(SpecError::new(ErrorKind::WrongType {
                        at: "imports".into(),
                        expected: "a list".into(),
                        found: describe(&other),
                    })
                    .at(imports.span.as_ref(), "expected a list of files")
                    .help("write `imports = [ ./other.nix ];`, a list even for one file"));
                }
            };
            for item in list {
                // An attribute set in `imports` is a module written inline, as in nixpkgs.
                if matches!(item.data, Data::Attrs(_)) {
                    let inline = format!("{name} (inline module)");
                    self.add(path, inline, item, "this inline module")?;
                    continue;
                }
                let (target, text) = self.resolve(path, &item)?;
                let span = item.span.clone();
                match span.as_ref() {
                    Some(span) => self.load(&target, Some((span, &text)))?,
                    None => self.load(&target, None)?,
                }
            }
        }
        self.modules.push(Module {
            name,
            path: path.to_path_buf(),
            value: Located::new(Data::Attrs(attrs), value.span),
        });
        Ok(())
    }

    fn evaluate(
        &self,
        path: &Path,
        imported_at: Option<(&Span, &str)>,
    ) -> Result<Located, SpecError> {
        let embedded = path.starts_with(EMBEDDED_ROOT);
        let kind = path.extension().and_then(|e| e.to_str());
        match kind {
            Some("nix") => nix::eval(path, self.root, self.opts),
            Some("json") if !embedded && self.opts.overlay.contains_key(path) => {
                let text = self.opts.overlay[path].clone();
                self.parse_json(path, text)
            }
            Some("json") if !embedded => {
                // Read beneath the project root, like every project file (the entry file the
                // user named is read as named).
                let read = match (imported_at, path.strip_prefix(self.root)) {
                    (Some(_), Ok(rel)) => crate::project_fs::ProjectRoot::open(self.root)
                        .and_then(|root| root.read(rel))
                        .map_err(|e| std::io::Error::other(e.to_string()))
                        .and_then(|bytes| {
                            String::from_utf8(bytes).map_err(|_| {
                                std::io::Error::new(
                                    std::io::ErrorKind::InvalidData,
                                    "it is not valid UTF-8",
                                )
                            })
                        }),
                    _ => std::fs::read_to_string(path),
                };
                let text = read.map_err(|source| match imported_at {
                    Some((span, import)) => SpecError::new(ErrorKind::Import {
                        import: import.to_string(),
                        reason: source.to_string().to_lowercase(),
                    })
                    .at(Some(span), "imported here"),
                    None => SpecError::new(ErrorKind::Read {
                        path: path.to_path_buf(),
                        source,
                    }),
                })?;
                self.parse_json(path, text.into())
            }
            _ => {
                let err = SpecError::new(ErrorKind::UnknownFileKind {
                    path: PathBuf::from(display_name(path, self.root)),
                });
                let err = err.help(
                    "a module is a `.nix` or `.json` file; copy data files with `build.files`",
                );
                Err(match imported_at {
                    Some((span, _)) => err.at(Some(span), "imported here"),
                    None => err,
                })
            }
        }
    }

    fn parse_json(&self, path: &Path, text: std::sync::Arc<str>) -> Result<Located, SpecError> {
        let file = SourceFile::new(display_name(path, self.root), path, text);
        json::parse(&file).map_err(|e| {
            SpecError::new(ErrorKind::Syntax { message: e.message })
                .at(Some(&e.span), "here")
                .help(e.help.unwrap_or_else(|| {
                    "a `.json` config is plain JSON: double-quoted strings, no comments, no trailing commas".into()
                }))
        })
    }

    /// Where an `imports` element points.
    fn resolve(&self, importer: &Path, item: &Located) -> Result<(PathBuf, String), SpecError> {
        let bad = |reason: String, import: String| {
            SpecError::new(ErrorKind::Import { import, reason })
                .at(item.span.as_ref(), "imported here")
        };
        let dir = importer.parent().unwrap_or(Path::new("/"));
        let (target, text) = match &item.data {
            Data::Path(p) => (p.clone(), display_name(p, self.root)),
            Data::String(s) => {
                if let Some(name) = s.strip_prefix("<envc/").and_then(|r| r.strip_suffix('>')) {
                    match builtin_path(name) {
                        Some(path) => (path, s.clone()),
                        None => {
                            return Err(bad("no such built-in module".into(), s.clone()).help(
                                format!("the built-in modules are: {}", builtin_names().join(", ")),
                            ));
                        }
                    }
                } else if s.starts_with('/') {
                    return Err(bad(
                        "imports are relative to the importing file".into(),
                        s.clone(),
                    )
                    .help(
                        "write the path relative to this file, for example `./modules/gpu.json`",
                    ));
                } else {
                    (normalize(&dir.join(s)), s.clone())
                }
            }
            other => {
                return Err(bad(
                    format!(
                        "expected a path, a string or an inline module, found {}",
                        describe(other)
                    ),
                    "?".into(),
                ));
            }
        };
        if target.starts_with(EMBEDDED_ROOT) {
            return Ok((target, text));
        }
        if !target.starts_with(self.root) {
            return Err(bad("it is outside the project root".into(), text)
                .help("envc reads only files inside the project (the config's folder) and built-in modules"));
        }
        // Every folder and symlink on the way must stay inside the project.
        let rel = target.strip_prefix(self.root).unwrap_or(&target);
        let found = crate::project_fs::ProjectRoot::open(self.root).and_then(|r| r.stat(rel, true));
        match found {
            Ok(Some(stat)) if stat.kind == crate::project_fs::EntryKind::File => {}
            Ok(_) | Err(crate::project_fs::ProjectFsError::NotFound { .. }) => {
                return Err(bad("no such file".into(), text)
                    .help("imports are relative to the importing file"));
            }
            Err(e) => {
                return Err(bad(crate::spec::model::shown(&e.to_string()), text)
                    .help("envc reads only files inside the project (the config's folder) and built-in modules"));
            }
        }
        Ok((target, text))
    }
}

/// The evaluated path of built-in module `name` (`python-uv`, `python-uv.nix`).
fn builtin_path(name: &str) -> Option<PathBuf> {
    crate::lang::embedded_module(name).map(|(rel, _)| Path::new(EMBEDDED_ROOT).join(rel))
}

fn builtin_names() -> Vec<String> {
    crate::lang::embedded::names()
        .iter()
        .filter(|n| !n.starts_with("lib"))
        .map(|n| format!("`<envc/{}>`", n.trim_end_matches(".nix")))
        .collect()
}

/// How a file is named in messages: relative to the project root, or `<envc/NAME>`.
pub fn display_name(path: &Path, root: &Path) -> String {
    if let Ok(rest) = path.strip_prefix(EMBEDDED_ROOT) {
        return format!("<envc/{}>", rest.display());
    }
    match path.strip_prefix(root) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

/// Remove `.` and `..` lexically (the file need not exist yet).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

pub fn describe(data: &Data) -> String {
    match data {
        Data::Null => "null",
        Data::Bool(_) => "a boolean",
        Data::Int(_) => "an integer",
        Data::Float(_) => "a float",
        Data::String(_) => "a string",
        Data::Path(_) => "a path",
        Data::List(_) => "a list",
        Data::Attrs(_) => "an attribute set",
    }
    .to_string()
}
