use std::collections::HashMap;
use std::io::Read;

use envc::engine::{CommitSpec, ContainerSpec, models::ContainerConfig};
use futures_util::StreamExt;

use crate::support::{busybox, docker};

#[test]
fn commit_applies_changes_and_labels_and_the_label_finds_the_image() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    rt.block_on(async {
        let key = docker::unique("key");
        let spec = ContainerSpec {
            image: image.clone(),
            cmd: Some(vec!["sh".into(), "-c".into(), "echo built > /made".into()]),
            ..Default::default()
        };
        let container = engine.create_container(&spec).await.unwrap();
        container.start().await.unwrap();
        assert!(container.wait().await.unwrap().success());
        let reference = format!("envc-test/commit:{key}");
        let commit = CommitSpec {
            reference: Some(reference.clone()),
            changes: vec!["WORKDIR /work".into(), "ENV STEP=done".into()],
            labels: HashMap::from([
                ("dev.envc.key".into(), key.clone()),
                ("dev.envc.note".into(), r#"a "b" $HOME \ c"#.into()),
            ]),
            config: ContainerConfig {
                env: Some(vec!["PATH=/bin:/usr/bin".into()]),
                cmd: Some(vec!["sh".into()]),
                ..Default::default()
            },
            comment: Some("envc test".into()),
        };
        let id = engine.commit(container.id(), &commit).await.unwrap();
        container.remove().await.unwrap();

        let inspect = engine.inspect_image_raw(&reference).await.unwrap();
        assert_eq!(inspect.id.as_deref(), Some(id.as_str()));
        let config = inspect.config.unwrap();
        let env = config.env.unwrap();
        assert!(env.contains(&"STEP=done".to_string()), "{env:?}");
        assert_eq!(config.working_dir.as_deref(), Some("/work"));
        let labels = config.labels.unwrap();
        assert_eq!(labels.get("dev.envc.key"), Some(&key));
        assert_eq!(labels["dev.envc.note"], r#"a "b" $HOME \ c"#);

        let found = engine
            .list_images_by_label("dev.envc.key", Some(&key))
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, id);
        assert_eq!(found[0].repo_tags, vec![reference.clone()]);

        engine
            .tag_image(&id, &format!("envc-test/commit:{key}-again"))
            .await
            .unwrap();
        assert_eq!(engine.inspect_image(&id).await.unwrap().repo_tags.len(), 2);
        engine
            .remove_image(&format!("envc-test/commit:{key}-again"), false)
            .await
            .unwrap();
        engine.remove_image(&reference, false).await.unwrap();
        assert!(engine.find_image(&id).await.unwrap().is_none());
        assert!(
            engine
                .list_images_by_label("dev.envc.key", Some(&key))
                .await
                .unwrap()
                .is_empty()
        );
    });
}

#[test]
fn export_streams_the_container_filesystem() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    let tar = rt.block_on(async {
        let spec = ContainerSpec {
            image: image.clone(),
            cmd: Some(vec![
                "sh".into(),
                "-c".into(),
                "echo hi > /tmp/marker".into(),
            ]),
            ..Default::default()
        };
        let container = engine.create_container(&spec).await.unwrap();
        container.start().await.unwrap();
        container.wait().await.unwrap();
        let mut stream = engine.export_container(container.id());
        let mut tar = Vec::new();
        while let Some(chunk) = stream.next().await {
            tar.extend_from_slice(&chunk.unwrap());
        }
        container.remove().await.unwrap();
        tar
    });
    let mut archive = tar::Archive::new(&tar[..]);
    let mut marker = None;
    let mut has_busybox = false;
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        if path == "tmp/marker" {
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            marker = Some(text);
        }
        has_busybox |= path == "bin/busybox";
    }
    assert_eq!(marker.as_deref(), Some("hi\n"));
    assert!(has_busybox);
}

#[test]
fn a_saved_archive_loads_back_with_its_tag() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    rt.block_on(async {
        let tag = format!("envc-test/load:{}", docker::unique("t"));
        engine.tag_image(&image, &tag).await.unwrap();
        let mut archive = Vec::new();
        let mut stream = engine.save_image(&tag);
        while let Some(chunk) = stream.next().await {
            archive.extend_from_slice(&chunk.unwrap());
        }
        engine.remove_image(&tag, false).await.unwrap();
        assert!(engine.find_image(&tag).await.unwrap().is_none());
        let stream =
            futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(archive))]);
        let loaded = engine.load_archive(stream).await.unwrap();
        assert_eq!(loaded, vec![tag.clone()]);
        assert_eq!(
            engine.inspect_image(&tag).await.unwrap().id,
            engine.inspect_image(&image).await.unwrap().id
        );
        engine.remove_image(&tag, false).await.unwrap();

        let garbage = futures_util::stream::iter([Ok::<_, std::io::Error>(
            bytes::Bytes::from_static(b"not a tar"),
        )]);
        assert!(engine.load_archive(garbage).await.is_err());
    });
}

#[test]
fn the_busybox_test_image_is_deterministic_and_has_a_conflicting_user() {
    assert_eq!(busybox::rootfs_tar(), busybox::rootfs_tar());
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    let output = rt.block_on(async {
        let container = engine
            .create_container(&ContainerSpec {
                image: image.clone(),
                user: Some("user".into()),
                cmd: Some(vec![
                    "sh".into(),
                    "-c".into(),
                    "id; ls -ld /tmp $HOME".into(),
                ]),
                ..Default::default()
            })
            .await
            .unwrap();
        container.start().await.unwrap();
        assert!(container.wait().await.unwrap().success());
        let mut out = Vec::new();
        let mut logs = engine.logs(container.id(), false);
        while let Some(chunk) = logs.next().await {
            out.extend_from_slice(chunk.unwrap().bytes());
        }
        container.remove().await.unwrap();
        String::from_utf8(out).unwrap()
    });
    assert!(
        output.starts_with("uid=1000(user) gid=1000(user)"),
        "{output}"
    );
    assert!(output.contains("drwxrwxrwt"), "{output}");
}

/// Pins the engine behaviour the executor must work around: a commit merges every env
/// entry of the container that `config.env` does not name, so build-only values must
/// never be container env (use exec env or a mounted file instead).
#[test]
fn container_env_is_merged_into_a_commit_so_build_env_must_not_be_container_env() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    rt.block_on(async {
        let container = engine
            .create_container(&ContainerSpec {
                image: image.clone(),
                cmd: Some(vec!["true".into()]),
                env: vec!["BUILD_ONLY=secret".into()],
                ..Default::default()
            })
            .await
            .unwrap();
        container.start().await.unwrap();
        container.wait().await.unwrap();
        let commit = CommitSpec {
            config: ContainerConfig {
                env: Some(vec!["PATH=/bin".into()]),
                ..Default::default()
            },
            ..Default::default()
        };
        let id = engine.commit(container.id(), &commit).await.unwrap();
        container.remove().await.unwrap();
        let env = engine
            .inspect_image_raw(&id)
            .await
            .unwrap()
            .config
            .unwrap()
            .env
            .unwrap();
        engine.remove_image(&id, true).await.unwrap();
        assert!(env.contains(&"BUILD_ONLY=secret".to_string()), "{env:?}");
    });
}
