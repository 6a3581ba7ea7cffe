//! Checks that span several fields, run after decoding: exactly one of two fields, values
//! that only make sense together, project files that must exist. Errors point at the
//! definition in the merged tree.

use std::collections::BTreeMap;
use std::path::Path;

use crate::lang::{Data, Located};
use crate::project_fs::{EntryKind, ProjectFsError, ProjectRoot};
use crate::source::Span;
use crate::spec::error::{ErrorKind, SpecError};
use crate::spec::model::{Base, BuildSpec, Spec, UserMode};

pub fn validate(spec: &Spec, merged: &Located, root: &Path) -> Result<(), SpecError> {
    let v = Validator { merged, root };
    v.base(&spec.base, &["base"])?;
    v.build(&spec.build, &["build"])?;

    let user = &spec.run.user;
    match user.mode {
        UserMode::Fixed if user.uid.is_none() => {
            return Err(v.invalid(&["run", "user"], "`fixed` mode needs a `uid`")
                .help("set `uid` (and optionally `gid`), or use `mode = \"host\"` to take the host user's ids"));
        }
        UserMode::Host | UserMode::Root if user.uid.is_some() || user.gid.is_some() => {
            let field = if user.uid.is_some() { "uid" } else { "gid" };
            return Err(v.invalid(&["run", "user", field], &format!("`{field}` is only used in `fixed` mode"))
                .help("set `mode = \"fixed\"`, or remove it: `host` mode takes the ids from the host at start"));
        }
        _ => {}
    }

    if !spec.targets.docker.enable && !spec.targets.apptainer.enable {
        return Err(v
            .invalid(&["targets"], "no target is enabled")
            .help("enable `targets.docker` or `targets.apptainer`"));
    }

    let network = &spec.run.network;
    if network.create {
        match network.name.as_ref().map(|n| n.as_str()) {
            None => {
                return Err(v
                    .invalid(
                        &["run", "network", "create"],
                        "`create` needs a network `name`",
                    )
                    .help("set `run.network.name`, for example `\"{project_slug}-net\"`"));
            }
            Some(special @ ("host" | "none" | "bridge")) => {
                return Err(v
                    .invalid(
                        &["run", "network", "create"],
                        &format!(
                            "the `{special}` network is the engine's own and cannot be created"
                        ),
                    )
                    .help("remove `create`: the engine always has it"));
            }
            Some(_) => {}
        }
    }

    let mut host_ports: BTreeMap<(u16, &str), Vec<String>> = BTreeMap::new();
    for (i, port) in spec.run.ports.iter().enumerate() {
        if port.container == 0 {
            return Err(v
                .invalid(
                    &["run", "ports", &i.to_string(), "container"],
                    "port 0 is not a port",
                )
                .help("ports are 1 to 65535"));
        }
        if port.host == Some(0) {
            return Err(v
                .invalid(
                    &["run", "ports", &i.to_string(), "host"],
                    "port 0 is not a port",
                )
                .help("leave `host` out to publish on the same port as `container`"));
        }
        let host = port.host.unwrap_or(port.container);
        host_ports
            .entry((host, &port.address))
            .or_default()
            .push(format!("run.ports.{i}"));
    }
    for (name, service) in &spec.services {
        let at = ["services", name.as_str()];
        match (&service.image, &service.build) {
            (Some(_), Some(_)) => {
                return Err(v
                    .invalid(
                        &at,
                        &format!("service `{name}` sets both `image` and `build`"),
                    )
                    .help("a service runs either a registry image or an image envc builds"));
            }
            (None, None) => {
                return Err(v
                    .invalid(&at, &format!("service `{name}` needs `image` or `build`"))
                    .help("set `image = \"postgres:16\"`, or `build = { base.image = ...; }` for an image envc builds"));
            }
            (None, Some(build)) => {
                v.base(&build.base, &["services", name.as_str(), "build", "base"])?;
                v.build(&build.build, &["services", name.as_str(), "build", "build"])?;
            }
            _ => {}
        }
        for (i, port) in service.ports.iter().enumerate() {
            let at_port = |field: &str| {
                vec![
                    "services".to_string(),
                    name.to_string(),
                    "ports".into(),
                    i.to_string(),
                    field.to_string(),
                ]
            };
            for (field, value) in [
                ("container", Some(port.container)),
                ("publish", port.publish),
            ] {
                if value == Some(0) {
                    let path = at_port(field);
                    let segs: Vec<&str> = path.iter().map(String::as_str).collect();
                    return Err(v
                        .invalid(&segs, "port 0 is not a port")
                        .help("ports are 1 to 65535"));
                }
            }
            if let Some(host) = port.publish {
                host_ports
                    .entry((host, &port.address))
                    .or_default()
                    .push(format!("services.{name}.ports.{i}"));
            }
        }
    }
    for ((port, address), users) in host_ports {
        if users.len() > 1 {
            let segs: Vec<&str> = users[1].split('.').collect();
            return Err(v
                .invalid(
                    &segs,
                    &format!("host port {address}:{port} is published twice"),
                )
                .help(format!("it is also published by `{}`", users[0])));
        }
    }

    for (name, limit) in &spec.run.ulimits {
        let at = ["run", "ulimits", name.as_str()];
        if limit.soft < -1 || limit.hard < -1 {
            return Err(v
                .invalid(&at, "a limit is -1 (unlimited) or a number from 0 up")
                .help("write `-1` for unlimited"));
        }
        if limit.soft != -1 && (limit.hard != -1 && limit.soft > limit.hard) {
            return Err(v
                .invalid(
                    &at,
                    &format!(
                        "soft limit {} is above hard limit {}",
                        limit.soft, limit.hard
                    ),
                )
                .help("the soft limit is at most the hard limit"));
        }
    }
    for (field, id) in [("uid", user.uid), ("gid", user.gid)] {
        if id == Some(u32::MAX) {
            return Err(v
                .invalid(
                    &["run", "user", field],
                    &format!("`{field}` 4294967295 is not an id"),
                )
                .help("it means \"no id\" to the kernel (`(uid_t) -1`); choose another"));
        }
    }
    Ok(())
}

struct Validator<'a> {
    merged: &'a Located,
    root: &'a Path,
}

impl Validator<'_> {
    fn invalid(&self, path: &[&str], message: &str) -> SpecError {
        let span = span_at(self.merged, path);
        SpecError::new(ErrorKind::Invalid {
            at: display_path(path),
            message: message.to_string(),
        })
        .at(span.as_ref(), "defined here")
    }

    fn base(&self, base: &Base, at: &[&str]) -> Result<(), SpecError> {
        if let Base::Archive(archive) = base {
            let mut path = at.to_vec();
            path.extend(["archive", "path"]);
            self.project_file(archive.path.as_str(), &path)?;
        }
        Ok(())
    }

    fn build(&self, build: &BuildSpec, at: &[&str]) -> Result<(), SpecError> {
        for (target, file) in &build.files {
            let mut path = at.to_vec();
            path.extend(["files", target.as_str()]);
            if target.as_str() == "/" {
                return Err(self
                    .invalid(&path, "a file cannot replace the image's root folder `/`")
                    .help("name the file's own path, such as `/etc/app.conf`"));
            }
            let given: Vec<&str> = [
                ("source", file.source.is_some()),
                ("text", file.text.is_some()),
                ("url", file.url.is_some()),
            ]
            .into_iter()
            .filter_map(|(name, set)| set.then_some(name))
            .collect();
            match given.as_slice() {
                ["source"] => {
                    let source = file.source.as_ref().expect("`source` is set");
                    let mut at = path.clone();
                    at.push("source");
                    self.project_file(source.as_str(), &at)?;
                }
                [_] => {}
                [] => {
                    return Err(self
                        .invalid(
                            &path,
                            &format!("file `{target}` needs `source`, `text` or `url`"),
                        )
                        .help("`source` copies a project file; `text` writes the given contents; `url` downloads the file"));
                }
                [first, second, ..] => {
                    return Err(self
                        .invalid(
                            &path,
                            &format!("file `{target}` sets both `{first}` and `{second}`"),
                        )
                        .help("a file has exactly one of `source`, `text` and `url`"));
                }
            }
            if let Some(after) = &file.after {
                let mut at = path.clone();
                at.push("after");
                self.after(build, target.as_str(), after, &at)?;
            }
            if file.sha256.is_some() && file.url.is_none() {
                path.push("sha256");
                return Err(self
                    .invalid(&path, "`sha256` pins a download and needs a `url`")
                    .help("project files and texts are pinned by their content already: remove `sha256`"));
            }
        }
        Ok(())
    }

    /// A file's `after` names exactly one of the build's steps.
    fn after(
        &self,
        build: &BuildSpec,
        target: &str,
        after: &str,
        at: &[&str],
    ) -> Result<(), SpecError> {
        let names: Vec<&str> = build
            .steps
            .iter()
            .filter_map(|s| s.name.as_deref())
            .collect();
        match names.iter().filter(|n| **n == after).count() {
            1 => Ok(()),
            0 => {
                let help = match crate::spec::suggest::closest(after, names.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None if names.is_empty() => {
                        "give the step a `name` in `build.steps` and name it here".to_owned()
                    }
                    None => format!(
                        "the named steps are: {}",
                        names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                Err(self
                    .invalid(
                        at,
                        &format!("file `{target}` is placed after step `{after}`, which `build.steps` does not name"),
                    )
                    .help(help))
            }
            _ => Err(self
                .invalid(
                    at,
                    &format!("file `{target}` is placed after step `{after}`, but several steps have that name"),
                )
                .help("give each step a file is placed after a name of its own")),
        }
    }

    /// A project file or folder the build reads: it must exist, and the way to it must stay
    /// inside the project (resolved by [`ProjectRoot`], as the build will read it).
    fn project_file(&self, rel: &str, at: &[&str]) -> Result<(), SpecError> {
        let shown = crate::spec::model::shown(rel);
        let found = ProjectRoot::open(self.root).and_then(|root| root.stat(Path::new(rel), true));
        let (message, help) = match found {
            Ok(Some(stat)) => match stat.kind {
                EntryKind::File | EntryKind::Dir => return Ok(()),
                kind => (
                    format!("project path `{shown}` is a {}", kind.name()),
                    "only files and folders can be copied into an image".to_owned(),
                ),
            },
            Ok(None) | Err(ProjectFsError::NotFound { .. }) => (
                format!("project file `{shown}` does not exist"),
                "project files are named relative to the project root (the config's folder)"
                    .to_owned(),
            ),
            Err(ProjectFsError::Escapes { link, target, .. }) => (
                format!(
                    "project path `{shown}` leaves the project through the symlink `{}` (-> `{}`)",
                    crate::spec::model::shown(&link),
                    crate::spec::model::shown(&target.to_string_lossy())
                ),
                "every folder and symlink on the way must stay inside the project; copy the file into the project instead".to_owned(),
            ),
            Err(e @ ProjectFsError::Loop { .. }) | Err(e @ ProjectFsError::NotADirectory { .. }) => (
                crate::spec::model::shown(&e.to_string()),
                "fix the project's symlinks so that the path names a file or folder".to_owned(),
            ),
            Err(e) => (
                format!("cannot read project path `{shown}`: {}", crate::spec::model::shown(&e.to_string())),
                "project files are named relative to the project root (the config's folder)"
                    .to_owned(),
            ),
        };
        Err(self.invalid(at, &message).help(help))
    }
}

/// `run.ports[0]`, `build.files."/etc/motd".source`: as paths are shown everywhere else.
fn display_path(path: &[&str]) -> String {
    let mut out = String::new();
    for seg in path {
        if seg.parse::<usize>().is_ok() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&crate::spec::decode::quote_key(seg));
        }
    }
    out
}

/// The span of the definition at `path` in the merged tree (list indices as numbers), or
/// of the nearest enclosing definition that has one.
pub fn span_at(tree: &Located, path: &[&str]) -> Option<Span> {
    let mut node = tree;
    let mut best = tree.span.clone();
    for seg in path {
        let next = match &node.data {
            Data::Attrs(attrs) => attrs.get(*seg),
            Data::List(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(n) => {
                node = n;
                if n.span.is_some() {
                    best = n.span.clone();
                }
            }
            None => break,
        }
    }
    best
}
