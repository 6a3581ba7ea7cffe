//! Running one resolving command in a throwaway container and collecting its output.
//!
//! The container is created from the pinned base, given build-only settings (CA bundle,
//! proxies) for its own lifetime only, and always removed, also when the command fails
//! or the user presses Ctrl-C.

use futures_util::StreamExt;

use crate::engine::{ContainerSpec, Engine, LogChunk};

use super::ResolveError;

/// The container a resolving command runs in: `cmd` as root in `image`, with `env`, the
/// host paths `binds` (a CA bundle) and `network` (`None`: the engine's default).
pub(crate) fn resolver_spec(
    image: &str,
    cmd: Vec<String>,
    env: Vec<String>,
    binds: Vec<String>,
    network: Option<String>,
) -> ContainerSpec {
    ContainerSpec {
        image: image.to_owned(),
        cmd: Some(cmd),
        entrypoint: Some(vec![]),
        env,
        user: Some("0:0".into()),
        host_config: crate::engine::models::HostConfig {
            binds: (!binds.is_empty()).then_some(binds),
            network_mode: network,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Run `spec` to completion; return stdout, or fail with the tail of its output.
pub(crate) async fn run_collect(
    engine: &Engine,
    spec: &ContainerSpec,
    what: &str,
) -> Result<Vec<u8>, ResolveError> {
    let container = engine.create_container(spec).await?;
    let result = async {
        container.start().await?;
        let mut logs = engine.logs(container.id(), true);
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        while let Some(chunk) = logs.next().await {
            match chunk? {
                LogChunk::Stdout(b) | LogChunk::Console(b) => stdout.extend_from_slice(&b),
                LogChunk::Stderr(b) => stderr.extend_from_slice(&b),
            }
        }
        let exit = container.wait().await?;
        if !exit.success() {
            return Err(ResolveError::Command {
                what: what.to_string(),
                image: spec.image.clone(),
                code: exit.code,
                tail: tail(&stderr, &stdout),
            });
        }
        Ok(stdout)
    }
    .await;
    // Remove in every case; the command's own failure is the more useful error.
    let removed = container.remove().await;
    let stdout = result?;
    removed?;
    Ok(stdout)
}

/// The last lines of the command's output, stderr first since it names the cause.
fn tail(stderr: &[u8], stdout: &[u8]) -> String {
    let text = if stderr.iter().any(|b| !b.is_ascii_whitespace()) {
        stderr
    } else {
        stdout
    };
    let text = String::from_utf8_lossy(text);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}
