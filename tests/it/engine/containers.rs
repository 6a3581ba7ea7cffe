use std::collections::HashMap;

use envc::engine::{ContainerSpec, ExecSpec, LogChunk, models::HostConfig};
use futures_util::StreamExt;

use crate::support::{busybox, docker};

fn sh(image: &str, script: &str) -> ContainerSpec {
    ContainerSpec {
        image: image.to_string(),
        cmd: Some(vec!["sh".into(), "-c".into(), script.into()]),
        ..Default::default()
    }
}

#[test]
fn a_container_runs_streams_its_output_and_reports_its_exit_status() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    rt.block_on(async {
        let mut spec = sh(&image, "echo out; echo err >&2; echo $GREETING; exit 3");
        spec.env = vec!["GREETING=hello there".into()];
        spec.labels = HashMap::from([("dev.envc.test".into(), "containers".into())]);
        let container = engine.create_container(&spec).await.unwrap();
        container.start().await.unwrap();
        let mut logs = engine.logs(container.id(), true);
        let (mut out, mut err) = (String::new(), String::new());
        while let Some(chunk) = logs.next().await {
            match chunk.unwrap() {
                LogChunk::Stdout(b) => out.push_str(&String::from_utf8_lossy(&b)),
                LogChunk::Stderr(b) => err.push_str(&String::from_utf8_lossy(&b)),
                LogChunk::Console(b) => panic!("no tty was asked for: {b:?}"),
            }
        }
        let exit = container.wait().await.unwrap();
        assert_eq!(exit.code, 3);
        assert!(!exit.success());
        assert_eq!(out, "out\nhello there\n");
        assert_eq!(err, "err\n");
        let id = container.id().to_string();
        container.remove().await.unwrap();
        assert!(
            engine
                .inspect_container(&id)
                .await
                .unwrap_err()
                .is_not_found()
        );
    });
}

#[test]
fn a_dropped_guard_removes_its_container() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    let id = rt.block_on(async {
        let container = engine
            .create_container(&sh(&image, "sleep 300"))
            .await
            .unwrap();
        container.start().await.unwrap();
        let id = container.id().to_string();
        // An error path: the guard goes out of scope without `remove`.
        drop(container);
        id
    });
    let gone = rt.block_on(engine.inspect_container(&id)).unwrap_err();
    assert!(gone.is_not_found(), "{gone:?}");
    assert!(!envc::engine::interrupt::live_containers().contains(&id));
}

#[test]
fn a_kept_container_survives_its_guard() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    rt.block_on(async {
        let container = engine.create_container(&sh(&image, "true")).await.unwrap();
        let id = container.keep();
        assert!(engine.inspect_container(&id).await.is_ok());
        engine.remove_container(&id).await.unwrap();
        // Removing what is gone is fine (cleanup paths may race).
        engine.remove_container(&id).await.unwrap();
    });
}

#[test]
fn creating_from_a_missing_image_says_which_image() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let error = rt
        .block_on(engine.create_container(&sh("envc-test/no-such-image:none", "true")))
        .unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
    assert_eq!(
        error.to_string(),
        "no image `envc-test/no-such-image:none` in the Docker engine"
    );
}

#[test]
fn exec_runs_in_a_running_container_with_user_env_and_workdir() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    rt.block_on(async {
        let mut spec = sh(&image, "sleep 300");
        spec.host_config = HostConfig {
            init: Some(true),
            ..Default::default()
        };
        let container = engine.create_container(&spec).await.unwrap();
        container.start().await.unwrap();
        let exec = ExecSpec {
            cmd: vec![
                "sh".into(),
                "-c".into(),
                "id -u; pwd; echo $X; echo oops >&2; exit 7".into(),
            ],
            env: vec!["X=a b $c".into()],
            user: Some("1000:1000".into()),
            working_dir: Some("/tmp".into()),
            ..Default::default()
        };
        let output = engine.exec_output(container.id(), &exec).await.unwrap();
        assert_eq!(output.code, 7);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "1000\n/tmp\na b $c\n"
        );
        assert_eq!(String::from_utf8_lossy(&output.stderr), "oops\n");

        // stdin reaches the command.
        use tokio::io::AsyncWriteExt;
        let mut session = engine
            .exec(
                container.id(),
                &ExecSpec {
                    cmd: vec!["wc".into(), "-c".into()],
                    stdin: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let mut input = session.input.take().unwrap();
        input.write_all(b"12345").await.unwrap();
        input.shutdown().await.unwrap();
        let mut out = Vec::new();
        while let Some(chunk) = session.output.next().await {
            out.extend_from_slice(chunk.unwrap().bytes());
        }
        assert_eq!(String::from_utf8_lossy(&out).trim(), "5");
        container.remove().await.unwrap();
    });
}

#[test]
fn networks_and_volumes_are_created_found_by_label_and_removed() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    rt.block_on(async {
        let name = docker::unique("envc-test-net");
        let labels = HashMap::from([("dev.envc.test".to_string(), name.clone())]);
        let network = envc::engine::NetworkSpec {
            name: name.clone(),
            labels: labels.clone(),
            ..Default::default()
        };
        let id = engine.ensure_network(&network).await.unwrap();
        assert_eq!(
            engine.ensure_network(&network).await.unwrap(),
            id,
            "ensure is idempotent"
        );
        assert_eq!(
            engine
                .list_networks_by_label("dev.envc.test", &name)
                .await
                .unwrap(),
            vec![name.clone()]
        );
        engine.remove_network(&name).await.unwrap();
        assert_eq!(engine.network_id(&name).await.unwrap(), None);
        engine.remove_network(&name).await.unwrap();

        let volume = envc::engine::VolumeSpec {
            name: name.clone(),
            labels,
        };
        engine.ensure_volume(&volume).await.unwrap();
        engine.ensure_volume(&volume).await.unwrap();
        assert!(engine.volume_exists(&name).await.unwrap());
        assert_eq!(
            engine
                .list_volumes_by_label("dev.envc.test", &name)
                .await
                .unwrap(),
            vec![name.clone()]
        );
        engine.remove_volume(&name).await.unwrap();
        assert!(!engine.volume_exists(&name).await.unwrap());
    });
}

#[test]
fn attach_streams_stdin_in_and_output_out() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    rt.block_on(async {
        use tokio::io::AsyncWriteExt;
        let mut spec = sh(&image, "tr a-z A-Z; echo done >&2");
        spec.open_stdin = true;
        let container = engine.create_container(&spec).await.unwrap();
        // Attach first, so no output is lost.
        let mut attached = engine.attach(container.id(), true).await.unwrap();
        container.start().await.unwrap();
        let mut input = attached.input.take().unwrap();
        input.write_all(b"hello $USER 'quoted'\n").await.unwrap();
        input.shutdown().await.unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        while let Some(chunk) = attached.output.next().await {
            match chunk.unwrap() {
                LogChunk::Stdout(b) | LogChunk::Console(b) => out.extend_from_slice(&b),
                LogChunk::Stderr(b) => err.extend_from_slice(&b),
            }
        }
        assert!(container.wait().await.unwrap().success());
        assert_eq!(String::from_utf8_lossy(&out), "HELLO $USER 'QUOTED'\n");
        assert_eq!(String::from_utf8_lossy(&err), "done\n");
        container.remove().await.unwrap();
    });
}

#[test]
fn a_tty_container_sees_the_size_it_is_given() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    rt.block_on(async {
        use tokio::io::AsyncWriteExt;
        // Reads a line first, so the size is asked only after the resize.
        let mut spec = sh(&image, "read line; stty size");
        spec.open_stdin = true;
        spec.tty = true;
        let container = engine.create_container(&spec).await.unwrap();
        let mut attached = engine.attach(container.id(), true).await.unwrap();
        container.start().await.unwrap();
        engine
            .resize_container(container.id(), 33, 77)
            .await
            .unwrap();
        let mut input = attached.input.take().unwrap();
        input.write_all(b"go\n").await.unwrap();
        let mut out = Vec::new();
        while let Some(chunk) = attached.output.next().await {
            let chunk = chunk.unwrap();
            assert!(
                matches!(chunk, LogChunk::Console(_)),
                "a tty has one stream: {chunk:?}"
            );
            out.extend_from_slice(chunk.bytes());
        }
        assert!(container.wait().await.unwrap().success());
        let out = String::from_utf8_lossy(&out);
        assert!(out.contains("33 77"), "{out:?}");
        container.remove().await.unwrap();
    });
}

/// `app/config.txt`, mode 0640, owned by 1000:1000.
fn config_tar() -> bytes::Bytes {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_mode(0o640);
    header.set_uid(1000);
    header.set_gid(1000);
    header.set_mtime(0);
    header.set_size(6);
    builder
        .append_data(&mut header, "app/config.txt", &b"hello\n"[..])
        .unwrap();
    builder.into_inner().unwrap().into()
}

#[test]
fn upload_extracts_a_tar_into_the_container_with_its_owners_and_modes() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    rt.block_on(async {
        let script = "stat -c '%a %u:%g %s' /tmp/app/config.txt && cat /tmp/app/config.txt";
        let container = engine.create_container(&sh(&image, script)).await.unwrap();
        // `/opt` does not exist in the image: the engine refuses, and the error says so.
        let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(config_tar())]);
        let missing = engine
            .upload(container.id(), "/opt", stream)
            .await
            .unwrap_err();
        assert_eq!(
            missing.to_string(),
            format!(
                "no destination directory `{}:/opt` in the Docker engine",
                container.id()
            )
        );

        let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(config_tar())]);
        engine.upload(container.id(), "/tmp", stream).await.unwrap();
        container.start().await.unwrap();
        assert!(container.wait().await.unwrap().success());
        let mut out = Vec::new();
        let mut logs = engine.logs(container.id(), false);
        while let Some(chunk) = logs.next().await {
            out.extend_from_slice(chunk.unwrap().bytes());
        }
        assert_eq!(String::from_utf8_lossy(&out), "640 1000:1000 6\nhello\n");
        container.remove().await.unwrap();
    });
}
