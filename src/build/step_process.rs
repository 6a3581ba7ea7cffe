//! How the executor runs a shell-like step of the contract (`crate::plan::contract`): a
//! container that only waits, and the step as an exec inside it.
//!
//! The engine records a committed container's config in the image (`container_config`, and
//! its command as the history's `created_by`), so nothing build-only may be in it: no
//! proxy value, no CA path, not even the step's script. The container runs an idle command
//! (the step's shell reading a line from a stdin nobody writes to); the step runs as an
//! exec, whose argv and environment live only in the engine's memory while it runs. Proxy
//! values go into that exec's environment; the CA bundle and secrets are bind mounts under
//! `/dev/envc`, which no layer holds; caches are named volumes.

use crate::engine::ExecSpec;
use crate::plan::contract::{Sharing, ShellStep};

use super::host::HostMaterial;

/// What the executor creates and runs for one shell-like step.
#[derive(Debug, Clone)]
pub struct StepProcess {
    /// The container's entrypoint: waits until the container is stopped, holds nothing.
    pub idle: Vec<String>,
    /// The step itself.
    pub exec: ExecSpec,
    /// `host:container:ro` binds (the CA bundle when the step uses it, the secrets).
    pub binds: Vec<String>,
    pub caches: Vec<CacheUse>,
    pub network: bool,
    /// The command as shown in messages.
    pub display: String,
}

/// A cache volume mounted into a step's container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheUse {
    pub volume: String,
    pub target: String,
    /// Only one step at a time, across envc processes, may use it (apt's archive cache).
    pub exclusive: bool,
}

/// The container and exec for `step`, lent what `host` has; `as_root` when the parent
/// image names another user (steps run as root, as a Dockerfile's `RUN` after no `USER`).
pub fn step_process(step: &ShellStep, host: &HostMaterial, as_root: bool) -> StepProcess {
    let shell = &step.argv[..step.argv.len() - 1];
    let mut idle: Vec<String> = shell.to_vec();
    idle.push("read -r _".into());
    // The CA variables are in the script too (the Dockerfile must set them there); proxy
    // values only here.
    let env = host
        .variables(step.network)
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    StepProcess {
        idle,
        exec: ExecSpec {
            cmd: step.argv.clone(),
            env,
            user: as_root.then(|| "0:0".to_owned()),
            ..Default::default()
        },
        binds: host.binds_for(step.ca_bundle, step.secrets),
        caches: step
            .caches
            .iter()
            .map(|c| CacheUse {
                volume: c.name.clone(),
                target: c.target.clone(),
                exclusive: c.sharing == Sharing::Locked,
            })
            .collect(),
        network: step.network,
        display: step.display.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::plan::Key;
    use crate::plan::contract::{self, CA_PATH, Runner};
    use crate::plan::step::{AptStep, RunStep};

    fn host() -> HostMaterial {
        HostMaterial {
            ca_bundle: Some("/etc/ssl/certs/ca-certificates.crt".into()),
            proxy: BTreeMap::from([(
                "HTTPS_PROXY".into(),
                "http://user:secretpass@proxy:3128".into(),
            )]),
            secrets: vec![],
        }
    }

    fn runner() -> Runner {
        Runner {
            ca_bundle: true,
            caches: true,
            apt_as_root: false,
        }
    }

    /// Regression (issue 15): the step script with `export HTTPS_PROXY=...` was the build
    /// container's entrypoint, which the engine copies into the committed image.
    #[test]
    fn host_values_reach_only_the_exec_never_the_container() {
        let step = contract::apt(
            &AptStep {
                packages: vec!["hello".into()],
                pinned: false,
            },
            &Key([0; 32]),
            &runner(),
        );
        let process = step_process(&step, &host(), false);
        assert_eq!(process.idle, vec!["/bin/sh", "-c", "read -r _"]);
        assert!(
            process
                .exec
                .env
                .contains(&"HTTPS_PROXY=http://user:secretpass@proxy:3128".to_owned())
        );
        assert!(!process.exec.cmd.concat().contains("secretpass"));
        assert_eq!(process.exec.cmd, step.argv);
        assert!(process.caches[0].exclusive);
        assert_eq!(
            process.binds,
            vec![format!("/etc/ssl/certs/ca-certificates.crt:{CA_PATH}:ro")]
        );
    }

    #[test]
    fn offline_steps_get_neither_proxies_nor_the_ca_bundle() {
        let step = contract::run(
            &RunStep {
                name: None,
                script: "true".into(),
                shell: vec!["/bin/bash".into(), "-e".into(), "-c".into()],
                env: BTreeMap::new(),
                workdir: None,
                network: false,
                caches: vec![],
                reproducible: true,
            },
            &Key([0; 32]),
            &runner(),
        );
        let process = step_process(&step, &host(), true);
        assert!(process.exec.env.is_empty());
        assert!(process.binds.is_empty());
        assert!(!process.network);
        assert_eq!(process.idle, vec!["/bin/bash", "-e", "-c", "read -r _"]);
        assert_eq!(process.exec.user.as_deref(), Some("0:0"));
    }
}
