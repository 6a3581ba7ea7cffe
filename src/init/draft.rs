//! What `envc init` found, before it is written: one field per config setting, each value
//! with the file and line it came from, and the list of what could not be mapped.
//!
//! Detectors add values through the methods here, which check each one with the spec's own
//! rules (an apt name is an [`AptPackage`], an image an [`ImageRef`], ...) and turn a value
//! that does not fit into a "not mapped" note instead of a config that fails `envc check`.

use std::collections::BTreeMap;

use crate::spec::model::{
    AbsPath, AptPackage, BuildString, EnvName, ImageRef, LabelKey, PipRequirement, RunString,
};

use super::doc::Text;

/// Where a value came from: a file relative to the project root, and a line when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: Option<usize>,
}

impl Origin {
    pub fn new(file: impl Into<String>, line: Option<usize>) -> Self {
        Origin {
            file: file.into(),
            line,
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Found<T> {
    pub value: T,
    pub origin: Origin,
}

/// A note for the report: what was mapped, or what could not be, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub origin: Origin,
    pub text: String,
}

/// The base the config starts from.
#[derive(Debug, Clone, PartialEq)]
pub enum BaseDraft {
    Image(Text),
    Debootstrap {
        suite: Text,
        extra_suites: Vec<Text>,
    },
}

/// A published port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortDraft {
    pub container: u16,
    pub host: Option<u16>,
    pub udp: bool,
}

/// A bind mount or a named volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountDraft {
    pub source: Text,
    pub target: Text,
    pub readonly: bool,
    pub volume: bool,
}

/// A shell step of the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepDraft {
    pub name: Text,
    pub run: Text,
}

/// Who the environment runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserDraft {
    #[default]
    Host,
    Root,
}

/// Everything `envc init` found.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub name: Option<Text>,
    pub base: Option<Found<BaseDraft>>,
    pub apt: Vec<Found<Text>>,
    pub pip: Vec<Found<Text>>,
    pub build_env: Vec<Found<(Text, Text)>>,
    pub labels: Vec<Found<(Text, Text)>>,
    pub workdir: Option<Found<Text>>,
    pub entrypoint: Option<Found<Vec<Text>>>,
    pub cmd: Option<Found<Vec<Text>>>,
    pub steps: Vec<Found<StepDraft>>,
    pub user: Option<Found<UserDraft>>,
    pub user_name: Option<Found<Text>>,
    pub project_target: Option<Found<Text>>,
    pub ports: Vec<Found<PortDraft>>,
    pub mounts: Vec<Found<MountDraft>>,
    pub run_env: Vec<Found<(Text, Text)>>,
    pub pass_env: Vec<Found<Text>>,
    pub proxy: Option<Origin>,
    pub docker_socket: Option<Origin>,
    pub post_start: Vec<Found<Text>>,
    pub network: Option<Found<Text>>,
    pub gpu_all: Option<Origin>,
    pub devices: Vec<Found<Text>>,
    pub cap_add: Vec<Found<Text>>,
    pub cap_drop: Vec<Found<Text>>,
    pub shm_size: Option<Found<Text>>,
    pub x11: Option<Origin>,
    pub mapped: Vec<Note>,
    pub unmapped: Vec<Note>,
    /// Which kinds of input were read, in the order they were (for the report).
    pub sources: Vec<String>,
}

impl Draft {
    /// Report `what` at `origin` as not mapped.
    pub fn skip(&mut self, origin: &Origin, what: impl Into<String>) {
        self.unmapped.push(Note {
            origin: origin.clone(),
            text: what.into(),
        });
    }

    /// Record that `what` was mapped (for the report; the value itself is in a field).
    pub fn noted(&mut self, origin: &Origin, what: impl Into<String>) {
        self.mapped.push(Note {
            origin: origin.clone(),
            text: what.into(),
        });
    }

    /// A [`Text`], or a "not mapped" note saying why `what` cannot be copied.
    pub fn text(&mut self, origin: &Origin, what: &str, value: &str) -> Option<Text> {
        match Text::new(value) {
            Ok(t) => Some(t),
            Err(why) => {
                self.skip(origin, format!("{what}: the value {why}"));
                None
            }
        }
    }

    fn checked<E: std::fmt::Display>(
        &mut self,
        origin: &Origin,
        what: &str,
        value: &str,
        check: impl FnOnce(&str) -> Result<(), E>,
    ) -> Option<Text> {
        let text = self.text(origin, what, value)?;
        match check(value) {
            Ok(()) => Some(text),
            Err(e) => {
                self.skip(origin, format!("{what} `{}`: {e}", short(value)));
                None
            }
        }
    }

    /// Set the base image, unless a base was found earlier (the first source wins).
    pub fn set_image(&mut self, origin: &Origin, image: &str) -> bool {
        if let Some(existing) = &self.base {
            if existing.origin != *origin {
                self.skip(
                    origin,
                    format!(
                        "base image `{}`: the base comes from {} already",
                        short(image),
                        existing.origin
                    ),
                );
            }
            return false;
        }
        let Some(text) = self.checked(origin, "base image", image, |v| {
            ImageRef::new(v).map(|_| ())
        }) else {
            return false;
        };
        self.noted(origin, format!("base image `{image}`"));
        self.base = Some(Found {
            value: BaseDraft::Image(text),
            origin: origin.clone(),
        });
        true
    }

    /// Add a Debian package once.
    pub fn add_apt(&mut self, origin: &Origin, name: &str) {
        if self.apt.iter().any(|p| p.value.as_str() == name) {
            return;
        }
        if let Some(text) = self.checked(origin, "apt package", name, |v| {
            AptPackage::new(v).map(|_| ())
        }) {
            self.apt.push(Found {
                value: text,
                origin: origin.clone(),
            });
        }
    }

    /// Add a pip requirement once (by its exact text).
    pub fn add_pip(&mut self, origin: &Origin, requirement: &str) {
        if self.pip.iter().any(|p| p.value.as_str() == requirement) {
            return;
        }
        if let Some(text) = self.checked(origin, "pip requirement", requirement, |v| {
            PipRequirement::new(v).map(|_| ())
        }) {
            self.pip.push(Found {
                value: text,
                origin: origin.clone(),
            });
        }
    }

    /// Set a variable baked into the image (a later definition replaces an earlier one, as
    /// in a Dockerfile).
    pub fn set_build_env(&mut self, origin: &Origin, name: &str, value: &str) {
        let Some(key) = self.checked(origin, "image variable", name, |v| {
            EnvName::new(v).map(|_| ())
        }) else {
            return;
        };
        let Some(value) = self.checked(origin, &format!("image variable `{name}`"), value, |v| {
            BuildString::new(v).map(|_| ())
        }) else {
            return;
        };
        self.build_env.retain(|e| e.value.0 != key);
        self.build_env.push(Found {
            value: (key, value),
            origin: origin.clone(),
        });
    }

    /// Set a variable of the running container.
    pub fn set_run_env(&mut self, origin: &Origin, name: &str, value: &str) {
        let Some(key) = self.checked(origin, "container variable", name, |v| {
            EnvName::new(v).map(|_| ())
        }) else {
            return;
        };
        let Some(value) = self.checked(
            origin,
            &format!("container variable `{name}`"),
            value,
            |v| RunString::new(v).map(|_| ()),
        ) else {
            return;
        };
        self.run_env.retain(|e| e.value.0 != key);
        self.run_env.push(Found {
            value: (key, value),
            origin: origin.clone(),
        });
    }

    /// Set an image label.
    pub fn set_label(&mut self, origin: &Origin, name: &str, value: &str) {
        if name.is_empty() {
            self.skip(origin, "a label with an empty name");
            return;
        }
        let Some(key) = self.checked(origin, "label name", name, |v| LabelKey::new(v).map(|_| ()))
        else {
            return;
        };
        let Some(value) = self.checked(origin, &format!("label `{name}`"), value, |v| {
            BuildString::new(v).map(|_| ())
        }) else {
            return;
        };
        self.labels.retain(|e| e.value.0 != key);
        self.labels.push(Found {
            value: (key, value),
            origin: origin.clone(),
        });
    }

    /// Set the image's working directory.
    pub fn set_workdir(&mut self, origin: &Origin, dir: &str) {
        if let Some(text) = self.checked(origin, "working directory", dir, |v| {
            AbsPath::new(v).map(|_| ())
        }) {
            self.workdir = Some(Found {
                value: text,
                origin: origin.clone(),
            });
        }
    }

    /// A list of build-side strings (an entrypoint or command), or `None` with a note.
    pub fn build_argv(
        &mut self,
        origin: &Origin,
        what: &str,
        argv: &[String],
    ) -> Option<Vec<Text>> {
        argv.iter()
            .map(|a| self.checked(origin, what, a, |v| BuildString::new(v).map(|_| ())))
            .collect()
    }

    /// Add a published port once.
    pub fn add_port(&mut self, origin: &Origin, port: PortDraft) {
        if self.ports.iter().any(|p| p.value == port) {
            return;
        }
        self.ports.push(Found {
            value: port,
            origin: origin.clone(),
        });
    }

    /// A run-side string, or `None` with a note.
    pub fn run_text(&mut self, origin: &Origin, what: &str, value: &str) -> Option<Text> {
        self.checked(origin, what, value, |v| RunString::new(v).map(|_| ()))
    }

    /// A build-side string, or `None` with a note.
    pub fn build_text(&mut self, origin: &Origin, what: &str, value: &str) -> Option<Text> {
        self.checked(origin, what, value, |v| BuildString::new(v).map(|_| ()))
    }

    /// The apt packages as a set of names (for detectors that add what is missing).
    pub fn apt_names(&self) -> BTreeMap<&str, &Origin> {
        self.apt
            .iter()
            .map(|p| (p.value.as_str(), &p.origin))
            .collect()
    }
}

/// A value shortened for a message (the report prints one line per note).
pub fn short(value: &str) -> String {
    let one_line: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match one_line.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}
