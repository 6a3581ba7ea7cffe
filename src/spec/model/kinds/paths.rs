//! Paths: in the image, on the host, and in the project.
//!
//! Every path is parsed into its canonical spelling: components separated by single `/`,
//! no `.` or `..` component, no trailing `/`, no control character. A canonical spelling is
//! what lets later stages compare paths by their text (the audit's "read-write bind of
//! `/etc`" must not be fooled by `/etc/../etc` or `//etc/`), and `..` is refused outright
//! where a path must stay beneath something (a container path beneath `/`, a project path
//! beneath the project root).
//!
//! A [`ProjectPath`] is only the *spelling* of a project file. Where it really is on disk
//! — component by component, with no symlink leaving the root — is decided when it is
//! opened, by [`crate::project_fs`].

use super::text::{check_build_string, check_run_string, refuse_chars};
use super::{Check, Invalid, kind, shown};
use crate::spec::placeholder;

pub(super) const CHECKS: &[(&str, Check)] = &[
    (ProjectPath::NEWTYPE, check_project_path),
    (AbsPath::NEWTYPE, check_abs_path),
    (RunPath::NEWTYPE, check_run_path),
    (HostPath::NEWTYPE, check_host_path),
    (DevicePath::NEWTYPE, check_device),
    (ApptainerBind::NEWTYPE, check_apptainer_bind),
    (ApptainerHome::NEWTYPE, check_apptainer_home),
];

/// The longest path Linux accepts (`PATH_MAX` less the NUL).
const PATH_MAX: usize = 4095;

kind!(
    /// A file or folder inside the project, relative to the project root (the config's
    /// folder), without `..`; in `.nix` files a path literal such as `./files/app.conf` is
    /// also accepted. Symlinks on the way must stay inside the project.
    ProjectPath,
    check_project_path,
    { "type": "string", "minLength": 1, "not": { "pattern": "^/|(^|/)\\.\\.(/|$)" } }
);

kind!(
    /// An absolute path inside the image: starts with `/`, no `.` or `..` components, no
    /// empty components or trailing `/`, no control characters, no host placeholders.
    AbsPath,
    check_abs_path,
    { "type": "string", "pattern": "^/" }
);

kind!(
    /// An absolute path inside the container, set when it starts: as an image path, but
    /// placeholders are allowed (`{home}/.cache`).
    RunPath,
    check_run_path,
    { "type": "string" }
);

kind!(
    /// A host path: absolute (`/data`, `{home}/.ssh`) or relative to the project root
    /// (`data`), without `.` or `..` components.
    HostPath,
    check_host_path,
    { "type": "string", "minLength": 1 }
);

kind!(
    /// A host device passed in: `/dev/NAME`, or `/dev/NAME:/dev/OTHER` to give it another
    /// path in the container.
    DevicePath,
    check_device,
    { "type": "string", "pattern": "^/dev/" }
);

kind!(
    /// An Apptainer bind: `SRC[:DST[:ro|rw]]` with absolute paths, one bind per item.
    ApptainerBind,
    check_apptainer_bind,
    { "type": "string" }
);

kind!(
    /// Apptainer's `--home`: `SRC[:DST]`, absolute paths.
    ApptainerHome,
    check_apptainer_home,
    { "type": "string" }
);

fn path_control(c: char) -> bool {
    c.is_control() || super::text::is_bidi_control(c)
}

/// The components of a `/`-separated path, refusing empty, `.` and `..` ones.
fn canonical_components<'a>(
    path: &'a str,
    full: &str,
    what: &str,
) -> Result<Vec<&'a str>, Invalid> {
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" => {
                return Err(Invalid::new(format!(
                    "{what} `{}` has an empty component",
                    shown(full)
                ))
                .help("write each folder once, with single `/` and no trailing `/`"));
            }
            "." => {
                return Err(
                    Invalid::new(format!("{what} `{}` has a `.` component", shown(full)))
                        .help("write the path without `./` parts"),
                );
            }
            ".." => {
                return Err(
                    Invalid::new(format!("{what} `{}` has a `..` component", shown(full))).help(
                        "write the path without `..`: it must not climb out of where it points",
                    ),
                );
            }
            p => parts.push(p),
        }
    }
    Ok(parts)
}

/// A canonical absolute path (or `/`).
fn check_absolute(path: &str, full: &str, what: &str) -> Result<(), Invalid> {
    refuse_chars(full, what, path_control)?;
    if path.len() > PATH_MAX {
        return Err(Invalid::new(format!(
            "{what} is longer than {PATH_MAX} bytes"
        )));
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(
            Invalid::new(format!("`{}` is not an absolute path", shown(full))).help(format!(
                "{what}s start with `/`, for example `/{}`",
                shown(path.trim_start_matches("./"))
            )),
        );
    };
    if rest.is_empty() {
        return Ok(());
    }
    canonical_components(rest, full, what).map(|_| ())
}

fn check_project_path(s: &str) -> Result<(), Invalid> {
    if s.is_empty() {
        return Err(Invalid::new("a project path cannot be empty"));
    }
    refuse_chars(s, "the project path", path_control)?;
    if s.starts_with('/') {
        return Err(Invalid::new(format!("`{}` is an absolute path", shown(s)))
            .help("project files are named relative to the project root (the config's folder)"));
    }
    if s.split('/').any(|part| part == "..") {
        return Err(
            Invalid::new(format!("`{}` leaves the project root", shown(s)))
                .help("only files inside the project can be used"),
        );
    }
    if s.len() > PATH_MAX {
        return Err(Invalid::new(format!(
            "the project path is longer than {PATH_MAX} bytes"
        )));
    }
    Ok(())
}

fn check_abs_path(s: &str) -> Result<(), Invalid> {
    // Container paths on the build side are part of the image: no host placeholders.
    check_build_string(s)?;
    check_absolute(s, s, "container path")
}

fn check_run_path(s: &str) -> Result<(), Invalid> {
    check_run_string(s)?;
    check_absolute(&placeholder::sample(s, true), s, "container path")
}

fn check_host_path(s: &str) -> Result<(), Invalid> {
    check_run_string(s)?;
    let sample = placeholder::sample(s, true);
    if sample.starts_with('/') {
        return check_absolute(&sample, s, "host path");
    }
    refuse_chars(s, "host path", path_control)?;
    // Relative to the project root.
    let rel = sample.strip_prefix("./").unwrap_or(&sample);
    if rel.is_empty() || rel == "." {
        return Ok(());
    }
    canonical_components(rel, s, "host path").map(|_| ())
}

fn check_device(s: &str) -> Result<(), Invalid> {
    check_run_string(s)?;
    let sample = placeholder::sample(s, true);
    let (host, container) = match sample.split_once(':') {
        Some((h, c)) => (h, Some(c)),
        None => (sample.as_str(), None),
    };
    check_absolute(host, s, "device path")?;
    if !host.starts_with("/dev/") {
        return Err(
            Invalid::new(format!("`{}` is not a device under `/dev/`", shown(s)))
                .help("devices are host paths under `/dev/`, such as `/dev/fuse` or `/dev/kvm`"),
        );
    }
    if let Some(container) = container {
        if container.contains(':') {
            return Err(
                Invalid::new(format!("`{}` has more than two parts", shown(s))).help(
                    "write `/dev/HOST` or `/dev/HOST:/dev/CONTAINER`; permissions are always `rwm`",
                ),
            );
        }
        check_absolute(container, s, "device path")?;
    }
    Ok(())
}

fn check_apptainer_bind(s: &str) -> Result<(), Invalid> {
    check_run_string(s)?;
    let sample = placeholder::sample(s, true);
    if sample.contains(',') {
        return Err(
            Invalid::new(format!("`{}` holds more than one bind", shown(s)))
                .help("Apptainer reads `,` as a list of binds: give each bind as its own item"),
        );
    }
    let parts: Vec<&str> = sample.split(':').collect();
    if parts.len() > 3 {
        return Err(
            Invalid::new(format!("`{}` has more than three parts", shown(s)))
                .help("write `SRC`, `SRC:DST` or `SRC:DST:ro`"),
        );
    }
    for path in parts.iter().take(2) {
        check_absolute(path, s, "bind path")?;
    }
    if let Some(opts) = parts.get(2)
        && !matches!(*opts, "ro" | "rw")
    {
        return Err(Invalid::new(format!(
            "`{}` has unknown bind options `{}`",
            shown(s),
            shown(opts)
        ))
        .help("the options of a bind are `ro` or `rw`"));
    }
    Ok(())
}

fn check_apptainer_home(s: &str) -> Result<(), Invalid> {
    check_run_string(s)?;
    let sample = placeholder::sample(s, true);
    let parts: Vec<&str> = sample.split(':').collect();
    if parts.len() > 2 || sample.contains(',') {
        return Err(Invalid::new(format!("`{}` is not a home folder", shown(s)))
            .help("write `SRC` or `SRC:DST`, both absolute paths"));
    }
    for path in parts {
        check_absolute(path, s, "home path")?;
    }
    Ok(())
}
