//! What an interrupted envc leaves behind, and removing it at the next start.
//!
//! A `kill -9` (or an OOM kill, or a lost SSH session) gives envc no chance to remove its
//! step containers or its partial `.envc-sif-*` files. So every container envc creates
//! carries the label `dev.envc.owner` naming the process that made it, and every partial
//! file carries that process in its name. Build containers carry it in their name instead
//! (`envc-build-<key>-<place>.<pid>.<start>-<n>`): the engine copies a committed
//! container's labels into the image's `container_config`, and no host fact belongs in an
//! image. The next build or `up` removes what a *dead*
//! envc process owned; what a live one owns (a concurrent build) is left alone.
//!
//! An owner is `<boot id>/<pid namespace>/<pid>/<start time>`: a pid alone is reused, and
//! on an engine shared by several machines or containers (a mounted Docker socket) a pid
//! from another boot or pid namespace says nothing here, so such owners are never judged
//! dead. Containers meant to outlive envc (an environment and its services, role `env`
//! and `service`) are never leftovers.

use std::path::Path;
use std::sync::OnceLock;

use crate::engine::{Engine, EngineError};

/// The label on every container envc creates.
pub const OWNER_LABEL: &str = "dev.envc.owner";

/// Roles of containers that outlive the envc that started them.
const LASTING_ROLES: &[&str] = &["env", "service"];

/// One process, identified so that a reused pid is not mistaken for it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Owner {
    boot: String,
    pid_ns: String,
    pid: u32,
    start: u64,
}

impl Owner {
    fn this() -> &'static Option<Owner> {
        static THIS: OnceLock<Option<Owner>> = OnceLock::new();
        THIS.get_or_init(|| {
            Some(Owner {
                boot: boot_id()?,
                pid_ns: pid_namespace()?,
                pid: std::process::id(),
                start: start_time(std::process::id())?,
            })
        })
    }

    fn parse(text: &str) -> Option<Owner> {
        let mut parts = text.split('/');
        let owner = Owner {
            boot: parts.next()?.to_owned(),
            pid_ns: parts.next()?.to_owned(),
            pid: parts.next()?.parse().ok()?,
            start: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(owner)
    }

    fn render(&self) -> String {
        format!("{}/{}/{}/{}", self.boot, self.pid_ns, self.pid, self.start)
    }

    /// Dead for certain: same boot and pid namespace as this process, and no process with
    /// that pid and start time.
    fn is_dead(&self) -> bool {
        let Some(me) = Owner::this() else {
            return false;
        };
        self.boot == me.boot && self.pid_ns == me.pid_ns && start_time(self.pid) != Some(self.start)
    }
}

fn boot_id() -> Option<String> {
    let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    Some(id.trim().to_owned())
}

fn pid_namespace() -> Option<String> {
    let link = std::fs::read_link("/proc/self/ns/pid").ok()?;
    let text = link.to_string_lossy();
    // `pid:[4026531836]`: the inode number.
    let inode = text.strip_prefix("pid:[")?.strip_suffix(']')?;
    inode
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| inode.to_owned())
}

/// Field 22 of `/proc/<pid>/stat`, the start time in clock ticks since boot.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

/// The 12 hex digits naming this boot and pid namespace in a build container's name.
fn place(owner: &Owner) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{}/{}", owner.boot, owner.pid_ns));
    hex::encode(&digest[..6])
}

/// The owner part of a build container's name: `<place>.<pid>.<start>` (the pid alone
/// when `/proc` cannot say).
pub fn name_token() -> String {
    match Owner::this() {
        Some(me) => format!("{}.{}.{}", place(me), me.pid, me.start),
        None => std::process::id().to_string(),
    }
}

/// Whether a build container named `name` was made by a dead envc process.
fn build_container_is_dead(name: &str) -> bool {
    let Some(me) = Owner::this() else {
        return false;
    };
    let token = name
        .trim_start_matches('/')
        .strip_prefix("envc-build-")
        .and_then(|rest| rest.split('-').nth(1));
    let Some(token) = token else { return false };
    let mut parts = token.split('.');
    let (Some(at), Some(pid), Some(start), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Ok(pid), Ok(start)) = (pid.parse::<u32>(), start.parse::<u64>()) else {
        return false;
    };
    at == place(me) && start_time(pid) != Some(start)
}

/// The value of [`OWNER_LABEL`] for containers this process creates (`None` when `/proc`
/// cannot say; such containers are then never judged leftovers).
pub fn owner_label() -> Option<String> {
    Owner::this().as_ref().map(Owner::render)
}

/// The prefix of a partial file of `kind` (`sif`, `apptainer`) this process writes:
/// `.envc-<kind>-<pid>.<start>-`.
pub fn temp_prefix(kind: &str) -> String {
    match Owner::this() {
        Some(me) => format!(".envc-{kind}-{}.{}-", me.pid, me.start),
        None => format!(".envc-{kind}-"),
    }
}

/// Remove partial files of `kind` in `dir` whose writer is dead (best effort).
pub fn reap_temp_files(dir: &Path, kind: &str) -> usize {
    let Some(me) = Owner::this() else { return 0 };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let prefix = format!(".envc-{kind}-");
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some((pid, start)) = rest.split_once('-').and_then(|(o, _)| o.split_once('.')) else {
            continue;
        };
        let (Ok(pid), Ok(start)) = (pid.parse::<u32>(), start.parse::<u64>()) else {
            continue;
        };
        let owner = Owner {
            boot: me.boot.clone(),
            pid_ns: me.pid_ns.clone(),
            pid,
            start,
        };
        if owner.is_dead() && std::fs::remove_file(entry.path()).is_ok() {
            tracing::info!(
                "removed `{}`, left by an interrupted envc",
                name.to_string_lossy()
            );
            removed += 1;
        }
    }
    removed
}

/// Remove every container a dead envc process created and did not mean to outlive it.
/// Returns how many were removed.
pub async fn reap_containers(engine: &Engine) -> Result<usize, EngineError> {
    let containers = engine
        .list_containers_where("label", OWNER_LABEL, true)
        .await?;
    let builds = engine
        .list_containers_where("name", "envc-build-", true)
        .await?;
    let mut removed = 0;
    for container in builds {
        let name = container
            .names
            .as_ref()
            .and_then(|n| n.first().cloned())
            .unwrap_or_default();
        let Some(id) = container.id.filter(|_| build_container_is_dead(&name)) else {
            continue;
        };
        engine.remove_container(&id).await?;
        tracing::info!("removed build container `{name}`, left by an interrupted envc");
        removed += 1;
    }
    for container in containers {
        let labels = container.labels.unwrap_or_default();
        let role = labels
            .get(crate::run::env_plan::LABEL_ROLE)
            .map(String::as_str);
        if role.is_some_and(|r| LASTING_ROLES.contains(&r)) {
            continue;
        }
        let dead = labels
            .get(OWNER_LABEL)
            .and_then(|o| Owner::parse(o))
            .is_some_and(|o| o.is_dead());
        let Some(id) = container.id.filter(|_| dead) else {
            continue;
        };
        let name = container
            .names
            .and_then(|n| n.first().cloned())
            .unwrap_or_else(|| id.clone());
        engine.remove_container(&id).await?;
        tracing::info!("removed container `{name}`, left by an interrupted envc");
        removed += 1;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_reused_pid_is_not_it() {
        let me = Owner::this().clone().expect("/proc describes this process");
        assert!(!me.is_dead());
        assert_eq!(Owner::parse(&me.render()), Some(me.clone()));
        let restarted = Owner {
            start: me.start + 1,
            ..me.clone()
        };
        assert!(restarted.is_dead());
        let elsewhere = Owner {
            pid_ns: "1".into(),
            start: me.start + 1,
            ..me
        };
        assert!(
            !elsewhere.is_dead(),
            "another pid namespace is never judged"
        );
        assert_eq!(Owner::parse("a/b/c/d"), None);
        assert_eq!(Owner::parse("a/1/2/3/4"), None);
        let me = Owner::this().clone().unwrap();
        let live = format!("/envc-build-abc-{}-1", name_token());
        assert!(!build_container_is_dead(&live));
        let dead = format!(
            "/envc-build-abc-{}.{}.{}-1",
            place(&me),
            me.pid,
            me.start + 1
        );
        assert!(build_container_is_dead(&dead));
        assert!(!build_container_is_dead("/envc-build-abc-12345-1"));
    }

    #[test]
    fn partial_files_of_dead_writers_go_and_live_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join(format!("{}abc", temp_prefix("sif")));
        std::fs::write(&mine, "x").unwrap();
        let me = Owner::this().clone().unwrap();
        let dead = dir
            .path()
            .join(format!(".envc-sif-{}.{}-abc", me.pid, me.start + 1));
        std::fs::write(&dead, "x").unwrap();
        let other = dir.path().join("keep.sif");
        std::fs::write(&other, "x").unwrap();
        assert_eq!(reap_temp_files(dir.path(), "sif"), 1);
        assert!(mine.exists() && other.exists() && !dead.exists());
    }
}
