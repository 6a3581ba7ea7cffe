//! `envc verify --cross`, BuildKit side: the emitted Dockerfile, built by the engine's own
//! BuildKit builder (`docker buildx build --load`), must give the files of envc's image.
//!
//! The build runs from the project root with the emitted `Dockerfile` and
//! `Dockerfile.dockerignore` in a temporary folder, under a unique temporary tag that is
//! removed afterwards whatever happened (BuildKit's own build cache is left to BuildKit).
//! Build-only material is handed over the way the Dockerfile's header says: the host CA
//! bundle as the secret `envc-ca`, proxies as predefined build arguments.
//!
//! One difference from the emitted file, so that the check works without a registry: the
//! `# syntax=docker/dockerfile:1` line is dropped, because it makes BuildKit pull the
//! Dockerfile frontend image; the engine's built-in frontend parses the same instructions.
//!
//! An engine whose built-in frontend predates a flag the Dockerfile uses (Docker 20.10 and
//! `RUN --network=none`) fails the build; the check then says so.
//!
//! Without the buildx plugin the check fails (never passes silently) and says what to
//! install.

use std::path::Path;
use std::process::Stdio;

use crate::engine::Engine;
use crate::engine::list_image;
use crate::host::{PROXY_VARIABLES, find_ca_bundle};
use crate::plan::Plan;
use crate::rootfs::Listing;
use crate::spec::Spec;

use super::Check;
use super::check::{compare, not_built, output_tail};

pub const NAME: &str = "cross-builder (buildkit = envc)";

/// Build `plan`'s emitted Dockerfile with BuildKit and compare its files with `envc`, the
/// listing of envc's finished image (`None` when it is not built).
pub async fn check(
    engine: &Engine,
    spec: &Spec,
    plan: &Plan,
    project_root: &Path,
    envc: Option<&Listing>,
) -> Check {
    let Some(envc) = envc else {
        return not_built(NAME, plan);
    };
    if !buildx_available().await {
        return Check::fail(
            NAME,
            vec![
                "BuildKit is not available: `docker buildx version` fails".to_owned(),
                "install the docker CLI's buildx plugin (Debian: `docker-buildx`; Docker's \
                 packages: `docker-buildx-plugin`) into ~/.docker/cli-plugins or \
                 /usr/local/lib/docker/cli-plugins"
                    .to_owned(),
            ],
        );
    }
    let tag = temporary_tag(plan);
    let built = build(spec, plan, project_root, &tag).await;
    let result = match built {
        Err(details) => Check::fail(NAME, details),
        Ok(()) => match engine.find_image(&tag).await {
            Ok(Some(image)) => match list_image(engine, &image.id).await {
                Ok(listing) => compare(NAME, envc, &listing, "BuildKit's image"),
                Err(e) => Check::fail(
                    NAME,
                    vec![format!(
                        "cannot list the files of `{tag}`: {}",
                        crate::error_chain::error_chain(&e)
                    )],
                ),
            },
            Ok(None) => Check::fail(NAME, vec![format!("the build left no image `{tag}`")]),
            Err(e) => Check::fail(NAME, vec![format!("cannot inspect `{tag}`: {e}")]),
        },
    };
    // The temporary tag goes whatever happened; layers only it held go with it.
    if let Ok(Some(_)) = engine.find_image(&tag).await
        && let Err(e) = engine.remove_image(&tag, false).await
    {
        let mut result = result;
        result
            .details
            .push(format!("could not remove the temporary image `{tag}`: {e}"));
        return result;
    }
    result
}

async fn buildx_available() -> bool {
    tokio::process::Command::new("docker")
        .args(["buildx", "version"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .is_ok_and(|s| s.success())
}

/// `envc-verify/buildkit:<short key>-<pid>-<nanos>`: unique on a shared engine.
fn temporary_tag(plan: &Plan) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "envc-verify/buildkit:{}-{}-{nanos}",
        plan.key().short(),
        std::process::id()
    )
}

/// The emitted Dockerfile without its `# syntax=` line (see the module docs).
fn offline_dockerfile(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("# syntax="))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Run `docker buildx build --load -t TAG`; `Err` holds the lines to report.
async fn build(
    spec: &Spec,
    plan: &Plan,
    project_root: &Path,
    tag: &str,
) -> Result<(), Vec<String>> {
    let emitted = crate::emit::dockerfile::dockerfile(spec, plan)
        .map_err(|e| vec![format!("{e}: {}", e.source)])?;
    let work = tempfile::Builder::new()
        .prefix("envc-verify-buildkit-")
        .tempdir()
        .map_err(|e| vec![format!("cannot make a temporary folder: {e}")])?;
    let dockerfile = work.path().join("Dockerfile");
    let write = |name: &str, text: &str| {
        std::fs::write(work.path().join(name), text)
            .map_err(|e| vec![format!("cannot write `{name}`: {e}")])
    };
    write("Dockerfile", &offline_dockerfile(&emitted.dockerfile))?;
    write("Dockerfile.dockerignore", &emitted.dockerignore)?;

    let mut command = tokio::process::Command::new("docker");
    command
        .args([
            "buildx",
            "build",
            "--load",
            "--progress",
            "plain",
            "-t",
            tag,
        ])
        .arg("-f")
        .arg(&dockerfile);
    if spec.build_host.ca_certificates {
        let Some(bundle) = find_ca_bundle() else {
            return Err(vec![
                "`build_host.ca_certificates` is set but this host has no CA bundle to pass as the `envc-ca` secret"
                    .to_owned(),
            ]);
        };
        command
            .arg("--secret")
            .arg(format!("id=envc-ca,src={}", bundle.display()));
    }
    if spec.build_host.proxy {
        for name in PROXY_VARIABLES {
            if std::env::var_os(name).is_some() {
                // `--build-arg NAME` takes the value from the environment.
                command.args(["--build-arg", name]);
            }
        }
    }
    command.arg(project_root).stdin(Stdio::null());
    let output = command
        .output()
        .await
        .map_err(|e| vec![format!("cannot run `docker buildx build`: {e}")])?;
    if output.status.success() {
        return Ok(());
    }
    let mut details = vec![format!(
        "`docker buildx build` of the emitted Dockerfile failed ({}):",
        output.status
    )];
    details.extend(output_tail(&output.stderr, 20));
    if String::from_utf8_lossy(&output.stderr).contains("Unknown flag") {
        details.push(
            "the engine's built-in Dockerfile frontend is older than the Dockerfile's syntax              (`RUN --network` needs Dockerfile 1.3, built into Docker 23 and newer): use a              newer engine, or reach a registry so that BuildKit can pull the              `docker/dockerfile:1` frontend the emitted `# syntax=` line names"
                .to_owned(),
        );
    }
    Err(details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_syntax_line_is_dropped_and_nothing_else() {
        let text = "# syntax=docker/dockerfile:1\n# comment\nFROM x\nRUN true\n";
        assert_eq!(offline_dockerfile(text), "# comment\nFROM x\nRUN true\n");
    }
}
