//! Names: what the engine, the kernel and the image's user database accept.
//!
//! A name a config gives ends up in an image repository (`envc/<name>-<variant>`), a
//! container, network or volume name, a DNS alias on the services' network, a cgroup
//! resource, a user database or a label. The engine does not always refuse a bad one when
//! it is created (Docker 20.10 made a network `a/../b` that could not be removed by name),
//! so each is parsed here by the rules of where it goes:
//!
//! - [`Name`] (environments, variants): a path component of Docker's reference grammar,
//!   `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`, at most 63 characters; also a valid file name
//!   for Apptainer's `.sif` and instance names.
//! - [`ServiceName`]: a DNS label (the service is reached by its name), `[a-z0-9]` and `-`.
//! - [`ContainerName`], [`NetworkName`], [`VolumeName`]: Docker's `[a-zA-Z0-9][a-zA-Z0-9_.-]+`
//!   (run side: checked with placeholders standing for typical host values).
//! - [`UserName`], [`Owner`]: the `useradd` rules (`[a-z_][a-z0-9_-]*[$]?`, 32 characters) or
//!   numeric ids.
//! - [`LabelKey`]: OCI's reverse-DNS keys; `dev.envc.` is envc's own and refused.

use super::text::check_run_string;
use super::{Check, Invalid, kind, shown};
use crate::spec::placeholder;

pub(super) const CHECKS: &[(&str, Check)] = &[
    (Name::NEWTYPE, check_name),
    (ServiceName::NEWTYPE, check_service_name),
    (EnvName::NEWTYPE, check_env_name),
    (LabelKey::NEWTYPE, check_label_key),
    (CacheId::NEWTYPE, check_cache_id),
    (Owner::NEWTYPE, check_owner),
    (Capability::NEWTYPE, check_capability),
    (UlimitName::NEWTYPE, check_ulimit_name),
    (ContainerName::NEWTYPE, check_container_name),
    (NetworkName::NEWTYPE, check_network_name),
    (VolumeName::NEWTYPE, check_volume_name),
    (UserName::NEWTYPE, check_user_name),
    (GpuId::NEWTYPE, check_gpu_id),
];

kind!(
    /// A name for an environment or a variant, used in image names (`envc/<name>`) and
    /// container names: lowercase letters and digits, separated by `.`, `_`, `__` or
    /// dashes, at most 63 characters.
    Name,
    check_name,
    { "type": "string", "maxLength": 63, "pattern": "^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*$" }
);

kind!(
    /// A service's name, which is also its host name on the services' network: lowercase
    /// letters, digits and `-`, starting and ending with a letter or digit, at most 63.
    ServiceName,
    check_service_name,
    { "type": "string", "maxLength": 63, "pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$" }
);

kind!(
    /// An environment variable name: letters, digits and `_`, not starting with a digit.
    EnvName,
    check_env_name,
    { "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }
);

kind!(
    /// An image label key: letters, digits, `.`, `-`, `_` and `/`, starting and ending with
    /// a letter or digit (OCI keys are reverse DNS: `org.opencontainers.image.source`).
    /// Keys under `dev.envc.` are envc's own.
    LabelKey,
    check_label_key,
    { "type": "string", "maxLength": 256, "pattern": "^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$" }
);

kind!(
    /// A build cache's id; becomes part of a volume name: lowercase letters, digits, `.`,
    /// `_` and `-`, starting with a letter or digit, at most 64 characters.
    CacheId,
    check_cache_id,
    { "type": "string", "maxLength": 64, "pattern": "^[a-z0-9][a-z0-9._-]*$" }
);

kind!(
    /// A file owner in the image: `user`, `user:group`, or numeric ids (`1000:1000`).
    Owner,
    check_owner,
    { "type": "string", "pattern": "^([a-z_][a-z0-9_-]*\\$?|[0-9]+)(:([a-z_][a-z0-9_-]*\\$?|[0-9]+))?$" }
);

kind!(
    /// A Linux capability name without `CAP_`, such as `SYS_PTRACE`, or `ALL`.
    Capability,
    check_capability,
    { "type": "string", "pattern": "^[A-Z][A-Z_]*$" }
);

kind!(
    /// A resource limit name: `core`, `cpu`, `data`, `fsize`, `locks`, `memlock`,
    /// `msgqueue`, `nice`, `nofile`, `nproc`, `rss`, `rtprio`, `rttime`, `sigpending`, `stack`.
    UlimitName,
    check_ulimit_name,
    { "type": "string", "enum": ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"] }
);

kind!(
    /// A container name as the engine accepts it: letters, digits, `_`, `.` and `-`,
    /// starting with a letter or digit, at least two characters (placeholders allowed).
    ContainerName,
    check_container_name,
    { "type": "string", "maxLength": 128 }
);

kind!(
    /// A network name: `host`, `none`, `bridge`, or letters, digits, `_`, `.` and `-`
    /// starting with a letter or digit (placeholders allowed).
    NetworkName,
    check_network_name,
    { "type": "string", "maxLength": 128 }
);

kind!(
    /// A volume name: letters, digits, `_`, `.` and `-`, starting with a letter or digit,
    /// at least two characters (placeholders allowed, e.g. `{project_slug}-cache`).
    VolumeName,
    check_volume_name,
    { "type": "string", "maxLength": 128 }
);

kind!(
    /// A user name in the container: lowercase letters, digits, `_` and `-`, starting with
    /// a letter or `_`, at most 32 characters (`{user}` allowed).
    UserName,
    check_user_name,
    { "type": "string", "maxLength": 32 }
);

kind!(
    /// A GPU device id: an index (`0`), a UUID (`GPU-...`) or a MIG id (`MIG-GPU-.../1/0`).
    GpuId,
    check_gpu_id,
    { "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9:/._-]*$" }
);

/// The capabilities of Linux 6.x (without `CAP_`), as Docker and Apptainer name them.
pub const CAPABILITIES: &[&str] = &[
    "AUDIT_CONTROL",
    "AUDIT_READ",
    "AUDIT_WRITE",
    "BLOCK_SUSPEND",
    "BPF",
    "CHECKPOINT_RESTORE",
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "IPC_LOCK",
    "IPC_OWNER",
    "KILL",
    "LEASE",
    "LINUX_IMMUTABLE",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "MKNOD",
    "NET_ADMIN",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_RAW",
    "PERFMON",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_CHROOT",
    "SYS_MODULE",
    "SYS_NICE",
    "SYS_PACCT",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "SYSLOG",
    "WAKE_ALARM",
    "ALL",
];

/// Resource limits the engines know.
pub const ULIMITS: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

fn alnum_lower(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// Docker's path component: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
pub(super) fn is_path_component(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.is_empty()
        || !alnum_lower(bytes[0] as char)
        || !alnum_lower(bytes[bytes.len() - 1] as char)
    {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        if alnum_lower(c) {
            i += 1;
            continue;
        }
        // A separator: `.`, `_`, `__` or a run of dashes, always between alphanumerics.
        let start = i;
        while i < bytes.len() && !alnum_lower(bytes[i] as char) {
            i += 1;
        }
        let sep = &s[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.chars().all(|c| c == '-');
        if !ok {
            return false;
        }
    }
    true
}

fn check_name(s: &str) -> Result<(), Invalid> {
    if !is_path_component(s) {
        return Err(Invalid::new(format!("`{}` is not a valid name", shown(s))).help(
            "names are lowercase letters and digits, separated by single `.`, `_`, `__` or dashes (they become image and container names)",
        ));
    }
    if s.len() > 63 {
        return Err(Invalid::new(format!(
            "the name `{}` is longer than 63 characters",
            shown(s)
        ))
        .help("names become image, container and host names; keep them short"));
    }
    Ok(())
}

fn check_service_name(s: &str) -> Result<(), Invalid> {
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| alnum_lower(c) || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if !ok {
        return Err(Invalid::new(format!("`{}` is not a valid service name", shown(s))).help(
            "a service is reached by its name on the network: lowercase letters, digits and `-`, at most 63, not starting or ending with `-`",
        ));
    }
    Ok(())
}

fn check_env_name(s: &str) -> Result<(), Invalid> {
    let ok = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit());
    if !ok {
        return Err(Invalid::new(format!(
            "`{}` is not an environment variable name",
            shown(s)
        ))
        .help("use letters, digits and `_`, not starting with a digit"));
    }
    Ok(())
}

fn check_label_key(s: &str) -> Result<(), Invalid> {
    let ok = !s.is_empty()
        && s.len() <= 256
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !ok {
        return Err(Invalid::new(format!("`{}` is not a label key", shown(s))).help(
            "label keys are letters, digits, `.`, `-`, `_` and `/`, such as `org.opencontainers.image.source`",
        ));
    }
    if s.starts_with("dev.envc.") {
        return Err(Invalid::new(format!("label `{s}` is envc's own"))
            .help("envc sets `dev.envc.*` labels from the image's inputs; choose another prefix"));
    }
    Ok(())
}

fn check_cache_id(s: &str) -> Result<(), Invalid> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.starts_with(alnum_lower)
        && s.chars()
            .all(|c| alnum_lower(c) || matches!(c, '.' | '_' | '-'));
    if !ok {
        return Err(Invalid::new(format!("`{}` is not a cache id", shown(s))).help(
            "a cache id becomes part of a volume name: lowercase letters, digits, `.`, `_` and `-`, at most 64",
        ));
    }
    Ok(())
}

/// `useradd`'s default rule (`NAME_REGEX`), 32 characters.
fn is_user_name(s: &str) -> bool {
    let body = s.strip_suffix('$').unwrap_or(s);
    !body.is_empty()
        && s.len() <= 32
        && body.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && body
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-'))
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 10
        && s.chars().all(|c| c.is_ascii_digit())
        && s.parse::<u32>().is_ok()
}

fn check_owner(s: &str) -> Result<(), Invalid> {
    let (user, group) = match s.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (s, None),
    };
    let part_ok = |p: &str| is_user_name(p) || is_id(p);
    if !part_ok(user) || !group.is_none_or(part_ok) {
        return Err(Invalid::new(format!("`{}` is not an owner", shown(s))).help(
            "write `user:group` with names that exist in the image (lowercase letters, digits, `_`, `-`) or numeric ids, such as `root:root` or `1000:1000`",
        ));
    }
    Ok(())
}

fn check_capability(s: &str) -> Result<(), Invalid> {
    if let Some(rest) = s.strip_prefix("CAP_") {
        return Err(Invalid::new("write capabilities without `CAP_`").help(format!("use `{rest}`")));
    }
    if !CAPABILITIES.contains(&s) {
        let help = match crate::spec::suggest::closest(s, CAPABILITIES.iter().copied()) {
            Some(best) => format!("did you mean `{best}`? capabilities are uppercase, such as `SYS_PTRACE`"),
            None => "capabilities are uppercase Linux capability names, such as `SYS_PTRACE` or `NET_ADMIN`".into(),
        };
        return Err(Invalid::new(format!("`{}` is not a Linux capability", shown(s))).help(help));
    }
    Ok(())
}

fn check_ulimit_name(s: &str) -> Result<(), Invalid> {
    if !ULIMITS.contains(&s) {
        let help = match crate::spec::suggest::closest(s, ULIMITS.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("known limits: {}", ULIMITS.join(", ")),
        };
        return Err(Invalid::new(format!("unknown resource limit `{}`", shown(s))).help(help));
    }
    Ok(())
}

/// Docker's `[a-zA-Z0-9][a-zA-Z0-9_.-]+` for container, network and volume names.
fn is_engine_name(s: &str) -> bool {
    s.len() >= 2
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// A run-side engine name: its placeholders stand for typical values, then Docker's rule.
fn check_engine_name(s: &str, what: &str, extra: &str) -> Result<(), Invalid> {
    check_run_string(s)?;
    let sample = placeholder::sample(s, false);
    if !is_engine_name(&sample) || sample.len() > 128 {
        return Err(Invalid::new(format!("`{}` is not a valid {what} name", shown(s))).help(
            format!("{what} names are letters, digits, `_`, `.` and `-`, starting with a letter or digit, at least two characters{extra}; placeholders such as `{{home}}` that hold a `/` cannot be part of one"),
        ));
    }
    Ok(())
}

fn check_container_name(s: &str) -> Result<(), Invalid> {
    check_engine_name(s, "container", "")
}

fn check_network_name(s: &str) -> Result<(), Invalid> {
    if matches!(s, "host" | "none" | "bridge") {
        return Ok(());
    }
    check_engine_name(s, "network", " (or `host`, `none`, `bridge`)")
}

fn check_volume_name(s: &str) -> Result<(), Invalid> {
    check_engine_name(s, "volume", "")
}

fn check_user_name(s: &str) -> Result<(), Invalid> {
    check_run_string(s)?;
    // `{user}` is the host's name, taken as the host has it.
    if s == "{user}" {
        return Ok(());
    }
    if !is_user_name(&placeholder::sample(s, false)) {
        return Err(Invalid::new(format!("`{}` is not a user name", shown(s))).help(
            "user names are lowercase letters, digits, `_` and `-`, starting with a letter or `_`, at most 32 characters",
        ));
    }
    Ok(())
}

fn check_gpu_id(s: &str) -> Result<(), Invalid> {
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '.' | '_' | '-'));
    if !ok {
        return Err(Invalid::new(format!("`{}` is not a GPU id", shown(s))).help(
            "a GPU is named by its index (`0`), UUID (`GPU-...`) or MIG id; list several as separate items",
        ));
    }
    Ok(())
}
