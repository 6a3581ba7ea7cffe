//! `envc init`: write a first config for a project from what it already has —
//! Python requirements and lock files, `Cargo.toml`, CMake and Make files, `package.json`,
//! a Dockerfile, a Dev Containers `devcontainer.json` and an Apptainer definition file.
//!
//! The detectors ([`detect`]) fill a [`draft::Draft`], checking every value with the spec's
//! own rules; [`render`] makes it a config tree and [`doc`] writes it as commented Nix or as
//! JSON with one escaping function per format. The file is written atomically, after envc's
//! own loader accepted it (so it passes `envc check`), and never over an existing config
//! unless asked to. Every input file is untrusted: read only inside the project root,
//! bounded in size, and a value that does not fit is reported, not guessed at.

pub mod detect;
pub mod doc;
pub mod dockerfile;
pub mod draft;
pub mod files;
pub mod render;
pub mod shell;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use self::doc::Text;
use self::draft::{Draft, Note};

/// What `envc init` is asked to do.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The project folder.
    pub root: PathBuf,
    /// Write `envc.json` instead of `envc.nix`.
    pub json: bool,
    /// Replace an existing config.
    pub force: bool,
    /// Print the config instead of writing it.
    pub print: bool,
}

/// Why `envc init` wrote nothing.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InitError {
    #[error("`{}` already exists", path.display())]
    #[diagnostic(help("`envc init --force` replaces it; or edit it by hand"))]
    Exists { path: PathBuf },
    #[error("cannot read the project folder `{}`", path.display())]
    Root {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A config `envc init` made that envc does not accept: a bug in `envc init`.
    #[error("the generated config does not pass `envc check`: {message}")]
    #[diagnostic(help("this is a bug in `envc init`; `envc init --print` shows the config"))]
    Generated { message: String },
}

/// What `envc init` did.
#[derive(Debug, Clone)]
pub struct InitReport {
    /// The file written (`None` with `print`).
    pub written: Option<PathBuf>,
    /// The config's text.
    pub text: String,
    /// The files that were read.
    pub sources: Vec<String>,
    pub mapped: Vec<Note>,
    pub unmapped: Vec<Note>,
    /// How many apt and pip packages the config lists.
    pub apt: usize,
    pub pip: usize,
}

/// Detect, render, check and write.
pub fn init(options: &InitOptions) -> Result<InitReport, InitError> {
    let root_error = |source| InitError::Root {
        path: options.root.clone(),
        source,
    };
    let project = files::Project::new(&options.root).map_err(root_error)?;
    let file_name = if options.json {
        "envc.json"
    } else {
        "envc.nix"
    };
    let target = project.root().join(file_name);
    if !options.print && !options.force {
        // Either config name: a second one would only be ignored with a warning.
        for name in crate::spec::load::CONFIG_NAMES {
            let existing = project.root().join(name);
            if existing.exists() {
                return Err(InitError::Exists { path: existing });
            }
        }
    }
    let mut draft = Draft::default();
    detect::all(&project, &mut draft);
    let name = draft.name.clone().unwrap_or_else(|| {
        let folder = project
            .root()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Text::new(detect::slug(&folder)).expect("a slug is plain text")
    });
    let entries = render::render(&draft, &name);
    let text = if options.json {
        doc::to_json(&entries)
    } else {
        doc::to_nix(&header(&draft), &entries)
    };
    check(project.root(), &text, options.json)?;
    let written = if options.print {
        None
    } else {
        write(&target, &text, options.force)?;
        Some(target)
    };
    Ok(InitReport {
        written,
        text,
        sources: draft.sources.clone(),
        apt: draft.apt.len(),
        pip: draft.pip.len(),
        mapped: draft.mapped,
        unmapped: draft.unmapped,
    })
}

fn header(draft: &Draft) -> Vec<String> {
    let mut lines = vec![
        "Written by `envc init`; edit freely. `envc check` validates it, `envc lock` pins it."
            .to_owned(),
    ];
    if draft.sources.is_empty() {
        lines.push(
            "Nothing envc knows was found in the project: a Debian base to start from.".into(),
        );
    } else {
        lines.push(format!("Read: {}.", draft.sources.join(", ")));
    }
    lines
}

/// Load the text with envc's own loader, from a temporary file beside the target (so that
/// project paths resolve as they will).
fn check(root: &Path, text: &str, json: bool) -> Result<(), InitError> {
    let suffix = if json { ".json" } else { ".nix" };
    let mut tmp = tempfile::Builder::new()
        .prefix(".envc-init-check-")
        .suffix(suffix)
        .tempfile_in(root)
        .map_err(|source| InitError::Write {
            path: root.to_path_buf(),
            source,
        })?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.flush())
        .map_err(|source| InitError::Write {
            path: tmp.path().to_path_buf(),
            source,
        })?;
    crate::spec::load(tmp.path(), None)
        .map(|_| ())
        .map_err(|e| InitError::Generated {
            message: e.to_string(),
        })
}

/// Write `text` to `target` atomically: a temporary file in the same folder, synced, then
/// renamed over the target (`force`) or linked to it only if it does not exist yet.
fn write(target: &Path, text: &str, force: bool) -> Result<(), InitError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let io = |source| InitError::Write {
        path: target.to_path_buf(),
        source,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".envc-init-")
        .tempfile_in(dir)
        .map_err(io)?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    // A config is for everyone who reads the project (temporary files start as 0600).
    let mut permissions = perms(&tmp).map_err(io)?;
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o644);
    tmp.as_file().set_permissions(permissions).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    let persisted = if force {
        tmp.persist(target).map(|_| ())
    } else {
        tmp.persist_noclobber(target).map(|_| ())
    };
    match persisted {
        Ok(()) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Err(InitError::Exists {
            path: target.to_path_buf(),
        }),
        Err(e) => Err(io(e.error)),
    }
}

fn perms(tmp: &tempfile::NamedTempFile) -> std::io::Result<std::fs::Permissions> {
    Ok(tmp.as_file().metadata()?.permissions())
}
