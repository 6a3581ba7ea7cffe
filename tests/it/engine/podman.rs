//! The same client against Podman's Docker-compatible API (`podman system service`):
//! negotiation, import, containers with output and exit status, exec, commit with labels,
//! export. Podman serves on a socket of this test's own, so the machine's engine is not
//! involved.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use envc::engine::models::{HostConfig, ResourcesUlimits};
use envc::engine::{CommitSpec, ContainerSpec, Endpoint, Engine, ExecSpec, LogChunk};
use futures_util::StreamExt;

use crate::support::{busybox, docker};

struct Service(Child);

/// Podman raises a container's `nofile` and `nproc` to its own defaults, which a sandbox
/// without `CAP_SYS_RESOURCE` refuses (runc: "error setting rlimits"); lower limits are
/// always allowed.
fn host_config() -> HostConfig {
    let limit = |name: &str| ResourcesUlimits {
        name: Some(name.into()),
        soft: Some(4096),
        hard: Some(4096),
    };
    HostConfig {
        ulimits: Some(vec![limit("nofile"), limit("nproc")]),
        ..Default::default()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_client_works_against_podmans_docker_api() {
    if !crate::support::require("podman", crate::support::have_command("podman")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("podman.sock");
    let _service = Service(
        Command::new("podman")
            .args(["system", "service", "--time=0"])
            .arg(format!("unix://{}", socket.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while !socket.exists() {
        assert!(
            Instant::now() < deadline,
            "podman did not create its socket"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let rt = docker::runtime();
    let engine = rt
        .block_on(Engine::connect_to(
            Endpoint::Unix(socket.clone()),
            Duration::from_secs(60),
        ))
        .unwrap();
    assert!(engine.api_version() >= envc::engine::MIN_API_VERSION);
    rt.block_on(async {
        let tag = docker::unique("envc-test/podman-busybox");
        let reference = format!("localhost/{tag}:v1");
        let tar = busybox::rootfs_tar();
        let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(tar))]);
        let changes = vec!["ENV PATH=/bin".to_string()];
        let id = engine
            .import_rootfs(stream, &reference, &changes)
            .await
            .unwrap();
        assert!(
            engine.find_image(&reference).await.unwrap().is_some(),
            "{id}"
        );

        let container = engine
            .create_container(&ContainerSpec {
                image: reference.clone(),
                cmd: Some(vec![
                    "sh".into(),
                    "-c".into(),
                    "echo out; echo err >&2; touch /made; exit 4".into(),
                ]),
                host_config: host_config(),
                ..Default::default()
            })
            .await
            .unwrap();
        container.start().await.unwrap();
        let exit = container.wait().await.unwrap();
        assert_eq!(exit.code, 4);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut logs = engine.logs(container.id(), false);
        while let Some(chunk) = logs.next().await {
            match chunk.unwrap() {
                LogChunk::Stdout(b) | LogChunk::Console(b) => out.extend_from_slice(&b),
                LogChunk::Stderr(b) => err.extend_from_slice(&b),
            }
        }
        assert_eq!(
            (out.as_slice(), err.as_slice()),
            (&b"out\n"[..], &b"err\n"[..])
        );

        let key = docker::unique("key");
        let commit = CommitSpec {
            reference: Some(format!("localhost/{tag}:committed")),
            labels: HashMap::from([
                ("dev.envc.key".into(), key.clone()),
                // Podman 4.3 keeps `\` escapes in `LABEL` changes literally, so only plain
                // values survive there (envc's keys are hex).
                ("dev.envc.note".into(), "built by envc".into()),
            ]),
            ..Default::default()
        };
        let committed = engine.commit(container.id(), &commit).await.unwrap();
        let mut export = engine.export_container(container.id());
        let mut bytes = 0;
        while let Some(chunk) = export.next().await {
            bytes += chunk.unwrap().len();
        }
        assert!(
            bytes > 1_000_000,
            "export is the whole rootfs: {bytes} bytes"
        );
        container.remove().await.unwrap();
        let found = engine
            .list_images_by_label("dev.envc.key", Some(&key))
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].labels["dev.envc.note"], "built by envc");
        assert!(
            committed.ends_with(found[0].id.trim_start_matches("sha256:")),
            "{committed} vs {}",
            found[0].id
        );

        let running = engine
            .create_container(&ContainerSpec {
                image: format!("localhost/{tag}:committed"),
                cmd: Some(vec!["sleep".into(), "300".into()]),
                host_config: host_config(),
                ..Default::default()
            })
            .await
            .unwrap();
        running.start().await.unwrap();
        let exec = ExecSpec {
            cmd: vec!["sh".into(), "-c".into(), "ls /made && id -u".into()],
            user: Some("1000".into()),
            ..Default::default()
        };
        let output = engine.exec_output(running.id(), &exec).await.unwrap();
        assert_eq!(
            (
                output.code,
                String::from_utf8_lossy(&output.stdout).into_owned()
            ),
            (0, "/made\n1000\n".to_string())
        );
        running.remove().await.unwrap();
        engine
            .remove_image(&format!("localhost/{tag}:committed"), true)
            .await
            .unwrap();
        engine.remove_image(&reference, true).await.unwrap();
    });
}
