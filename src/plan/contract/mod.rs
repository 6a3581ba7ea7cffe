//! The step contract: what each planned step runs, with which environment and which
//! build-only needs — written once, and rendered by all three builders.
//!
//! envc's executor (`crate::build`), the emitted Dockerfile and the emitted Apptainer
//! definition must give the same files from the same plan (`envc verify --cross` checks
//! it). So none of them spells a command: they ask this module. For every shell-like step
//! (apt, pip, run) it gives a [`ShellStep`]: the exact argv (shell, flags, script), the
//! command shown in messages, whether the step uses the network, the host CA bundle and the
//! host's proxies, and the caches it mounts with their sharing mode. Inline files get a
//! [`Command`] that writes them, with their owner and mode. What differs between builders
//! is only what a [`Runner`] can lend: a `.def`'s `%post` has no cache volumes, no per-step
//! network switch and no CA mount.
//!
//! The script of a shell step begins with `export` lines for what the plan decides
//! (`SOURCE_DATE_EPOCH`, the CA variables when the bundle is lent, pip's settings, the
//! step's own env, which win) and its `cd`; host values (proxies) are never in it: each
//! builder passes them its own way, outside anything an image records
//! (see [`build_only`]).

pub mod build_only;
pub mod command;
pub mod shell_step;

pub use build_only::{
    CA_PATH, CA_VARIABLES, MOUNT_DIR, PIP_CACHE, PROXY_VARIABLES, SECRETS_DIR, SOURCE_DATE_EPOCH,
    UMASK, cache_volume,
};
pub use command::{Command, Token};
pub use shell_step::{Cache, Sharing, ShellStep, apt, is_identifier, pip, run, text_file};

use crate::spec::model::BuildHost;

/// What a builder can lend the steps it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Runner {
    /// The host CA bundle is mounted at [`CA_PATH`] for steps that use the network.
    pub ca_bundle: bool,
    /// Cache volumes are mounted where steps ask for them.
    pub caches: bool,
    /// apt must download as root: the build runs in a user namespace that maps only root
    /// (Apptainer's `--fakeroot`/`--userns`), where apt cannot switch to its `_apt` user.
    pub apt_as_root: bool,
}

impl Runner {
    /// envc's executor and BuildKit: caches, a network switch per step, and the CA bundle
    /// when the config asks for it.
    pub fn docker(build_host: &BuildHost) -> Runner {
        Runner {
            ca_bundle: build_host.ca_certificates,
            caches: true,
            apt_as_root: false,
        }
    }

    /// `apptainer build`: `%post` runs every step with the network, without cache volumes
    /// or a CA mount, possibly in a root-only user namespace.
    pub const APPTAINER: Runner = Runner {
        ca_bundle: false,
        caches: false,
        apt_as_root: true,
    };
}

#[cfg(test)]
mod tests;
