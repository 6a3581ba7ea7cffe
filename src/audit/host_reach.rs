//! Settings that reach into the host: what a hostile config would use to take over the
//! machine of whoever runs `envc up` (root-equivalent when that user can use Docker).
//!
//! Each is a [`Risk`] with `host: true`, which `envc audit --strict` refuses as it refuses an
//! unpinned input: a read-write bind of `/`, a system folder or a home, the Docker (or
//! Podman, containerd) socket under any path, a host cache folder under a system path,
//! credential folders of the home (`.ssh`, `.aws`, ...), host variables whose names say they
//! hold secrets, capabilities that escape the container, raw devices, and the host's
//! network and IPC namespaces.
//!
//! Host paths are matched on their canonical spelling (the spec's `HostPath` kind refuses
//! `..`, `.` and empty components, so `/etc/../etc` cannot hide `/etc`), with placeholders
//! standing for what they become (`{home}` is a home folder).

use super::Risk;
use crate::spec::Spec;
use crate::spec::model::{Ipc, UserMode};

/// Folders of the host system: a read-write bind of one (or anything under it) can change
/// the host itself.
const SYSTEM: &[&str] = &[
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/proc", "/root", "/run", "/sbin",
    "/sys", "/usr", "/var",
];

/// Under these, only the folder itself is flagged (`/home` is every user; `/home/x` is one).
const SHARED: &[&str] = &["/", "/home", "/opt", "/srv", "/mnt", "/media", "/tmp"];

/// Folders of a home that hold credentials.
const CREDENTIALS: &[&str] = &[
    ".ssh",
    ".aws",
    ".azure",
    ".config/gcloud",
    ".docker",
    ".gnupg",
    ".kube",
    ".netrc",
    ".git-credentials",
    ".pypirc",
    ".config/gh",
];

/// Socket files of container engines: whoever holds one is root on the host.
const ENGINE_SOCKETS: &[&str] = &["docker.sock", "podman.sock", "containerd.sock", "crio.sock"];

/// Capabilities that let a process leave its container or take over the kernel.
const ESCAPING_CAPS: &[(&str, &str)] = &[
    (
        "ALL",
        "every capability: about as powerful as `--privileged`",
    ),
    (
        "SYS_ADMIN",
        "mount, namespaces and most of what root can do on the host kernel",
    ),
    (
        "SYS_MODULE",
        "loads kernel modules: code in the host kernel",
    ),
    ("SYS_RAWIO", "raw I/O ports and memory"),
    ("SYS_PTRACE", "traces and injects code into other processes"),
    (
        "DAC_READ_SEARCH",
        "reads any file by handle, past the container's mount namespace (`open_by_handle_at`)",
    ),
    ("DAC_OVERRIDE", "ignores file permissions"),
    ("NET_ADMIN", "reconfigures the network it can see"),
    ("BPF", "loads BPF programs into the host kernel"),
    ("PERFMON", "reads performance data of the host"),
    ("SYS_BOOT", "reboots the host"),
    ("SYS_TIME", "sets the host's clock"),
    ("MAC_ADMIN", "changes the host's mandatory access control"),
    (
        "MAC_OVERRIDE",
        "bypasses the host's mandatory access control",
    ),
];

/// Whether a capability is one that escapes the container (reported as reaching the host).
pub fn escapes(cap: &str) -> bool {
    ESCAPING_CAPS.iter().any(|(c, _)| *c == cap)
}

/// Device nodes that give the host's memory or disks.
fn raw_device(path: &str) -> bool {
    let name = path.strip_prefix("/dev/").unwrap_or(path);
    matches!(name, "mem" | "kmem" | "port")
        || [
            "sd", "hd", "vd", "xvd", "nvme", "mmcblk", "dm-", "md", "loop",
        ]
        .iter()
        .any(|p| name.starts_with(p))
        || name.starts_with("disk/")
        || name.starts_with("mapper/")
}

/// A host path with placeholders replaced by what they typically become.
fn host_path(source: &str) -> String {
    crate::spec::placeholder::sample(source, true)
}

fn under(path: &str, dir: &str) -> bool {
    path == dir || (dir == "/" || path.starts_with(&format!("{dir}/")))
}

/// Why a bind of `source` reaches into the host, if it does.
fn bind_reach(source: &str, readonly: bool) -> Option<String> {
    let path = host_path(source);
    let file = path.rsplit('/').next().unwrap_or("");
    if ENGINE_SOCKETS.contains(&file) || source.ends_with(".sock") && file.contains("docker") {
        return Some(format!(
            "`{source}` is a container engine's socket: whoever holds it is root on the host"
        ));
    }
    if ["/run", "/var/run"].contains(&path.as_str()) {
        return Some(format!(
            "`{source}` holds the container engine's socket (`docker.sock`): root on the host"
        ));
    }
    let home = source.starts_with("{home}") || path.starts_with("/home/") || path == "/root";
    if home {
        let rel = path
            .strip_prefix("/home/user")
            .or_else(|| path.strip_prefix("/root"))
            .unwrap_or("")
            .trim_start_matches('/');
        if let Some(cred) = CREDENTIALS
            .iter()
            .find(|c| rel == **c || rel.starts_with(&format!("{c}/")))
        {
            return Some(format!(
                "`{source}` holds credentials (`~/{cred}`): readable by everything the environment runs"
            ));
        }
    }
    if readonly {
        return (path == "/").then(|| "the host's whole file system is readable".to_owned());
    }
    if let Some(dir) = SYSTEM.iter().find(|d| under(&path, d)) {
        return Some(format!(
            "read-write bind of `{source}` (under `{dir}`): the container can change the host system"
        ));
    }
    if SHARED.contains(&path.as_str()) {
        return Some(format!(
            "read-write bind of `{source}`: the container can change every file in it"
        ));
    }
    if source == "{home}" || (home && path.matches('/').count() <= 2) {
        return Some(format!(
            "read-write bind of the home folder `{source}`: shell startup files, keys and tokens"
        ));
    }
    None
}

/// Names of variables that usually hold secrets: a word of the name (split at `_`) such
/// as `TOKEN`, `SECRET`, `PASSWORD`, `KEY`, or a cloud's credential prefix.
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split('_').filter(|w| !w.is_empty()).collect();
    let word = |w: &str| words.contains(&w);
    [
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "CREDENTIAL",
        "CREDENTIALS",
        "APIKEY",
        "PRIVATE",
    ]
    .iter()
    .any(|w| upper.contains(w))
        || word("KEY")
        || word("PASS")
        || word("AUTH")
        || [
            "AWS_",
            "AZURE_",
            "ARM_CLIENT",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "VAULT_",
        ]
        .iter()
        .any(|p| upper.starts_with(p))
        || matches!(
            upper.as_str(),
            "SSH_AUTH_SOCK" | "DOCKER_AUTH_CONFIG" | "KUBECONFIG"
        )
}

/// Every host-reaching setting of `spec`'s run side and services.
pub fn host_risks(spec: &Spec, risks: &mut Vec<Risk>) {
    let mut add = |setting: String, reason: String| {
        risks.push(Risk {
            setting,
            reason,
            host: true,
        })
    };
    let run = &spec.run;
    for (i, m) in run.mounts.iter().enumerate() {
        if let Some(reason) = bind_reach(m.source.as_str(), m.readonly) {
            add(format!("run.mounts.{i}.source"), reason);
        }
        let target = m.target.as_str();
        if ENGINE_SOCKETS.iter().any(|s| target.ends_with(s)) {
            add(
                format!("run.mounts.{i}.target"),
                format!("mounted where the engine's socket lives (`{target}`)"),
            );
        }
    }
    for (i, c) in run.caches.iter().enumerate() {
        let path = host_path(c.host.as_str());
        if path == "/" || SYSTEM.iter().any(|d| under(&path, d)) {
            add(
                format!("run.caches.{i}.host"),
                format!(
                    "host cache folder `{}` is under a system path: created and written by the container",
                    c.host
                ),
            );
        } else if let Some(reason) = bind_reach(c.host.as_str(), false) {
            add(format!("run.caches.{i}.host"), reason);
        }
    }
    for (i, bind) in spec.targets.apptainer.binds.iter().enumerate() {
        let mut parts = bind.as_str().splitn(3, ':');
        let source = parts.next().unwrap_or_default();
        let readonly = parts.nth(1) == Some("ro");
        if let Some(reason) = bind_reach(source, readonly) {
            add(format!("targets.apptainer.binds.{i}"), reason);
        }
    }
    for name in &run.pass_env {
        if secret_name(name.as_str()) {
            add(
                "run.pass_env".into(),
                format!(
                    "passes the host's `{name}` in: a secret there is readable by everything the environment runs"
                ),
            );
        }
    }
    for cap in &run.cap_add {
        if let Some((_, why)) = ESCAPING_CAPS.iter().find(|(c, _)| *c == cap.as_str()) {
            add("run.cap_add".into(), format!("`{cap}` {why}"));
        }
    }
    for device in &run.devices {
        let host = device.as_str().split(':').next().unwrap_or_default();
        if raw_device(host) {
            add(
                "run.devices".into(),
                format!("`{host}` gives raw access to the host's memory or disks"),
            );
        }
    }
    if run.docker_socket {
        add(
            "run.docker_socket".into(),
            "the Docker socket gives the container root-equivalent control of the host".into(),
        );
    }
    if run
        .network
        .name
        .as_ref()
        .is_some_and(|n| n.as_str() == "host")
    {
        add(
            "run.network.name".into(),
            "host network: the container shares the host's interfaces, ports and loopback services"
                .into(),
        );
    }
    if run.ipc == Some(Ipc::Host) {
        add(
            "run.ipc".into(),
            "host IPC namespace: shared memory with host processes".into(),
        );
    }
    if run.user.mode == UserMode::Root && run.mounts.iter().any(|m| !m.readonly) {
        add(
            "run.user.mode".into(),
            "root in the container writes the read-write host binds as root".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_that_reach_the_host() {
        for (source, ro) in [
            ("/", false),
            ("/", true),
            ("/etc", false),
            ("/etc/ssh", false),
            ("/root", false),
            ("/home", false),
            ("{home}", false),
            ("{home}/.ssh", true),
            ("/var/run/docker.sock", true),
            ("/run/docker.sock", false),
            ("/tmp/x/docker.sock", true),
            ("/run/user/1000/podman/podman.sock", false),
            ("/var/run", true),
        ] {
            assert!(bind_reach(source, ro).is_some(), "{source} ro={ro}");
        }
        for (source, ro) in [
            ("/etc", true),
            ("{project}/data", false),
            ("/data", false),
            ("{home}/.cache/pip", false),
            ("/home/user/work", false),
        ] {
            assert_eq!(bind_reach(source, ro), None, "{source} ro={ro}");
        }
    }

    #[test]
    fn secret_looking_names() {
        for n in [
            "GITHUB_TOKEN",
            "AWS_ACCESS_KEY_ID",
            "AWS_PROFILE",
            "DB_PASSWORD",
            "API_KEY",
            "MY_SECRET",
            "SSH_AUTH_SOCK",
            "NPM_AUTH",
        ] {
            assert!(secret_name(n), "{n}");
        }
        for n in [
            "TERM",
            "HOME",
            "KEYBOARD",
            "MONKEY_BUSINESS",
            "PWD",
            "LANG",
            "PATH",
        ] {
            assert!(!secret_name(n), "{n}");
        }
    }
}
