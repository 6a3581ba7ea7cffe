use crate::support::{busybox, docker, registry};

#[test]
fn push_resolve_and_pull_by_digest_through_a_loopback_registry() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    if !crate::support::require("docker-registry (Debian package)", registry::available()) {
        return;
    }
    let image = busybox::image(&rt, &engine);
    let registry = registry::Registry::start();
    rt.block_on(async {
        let remote = format!("{}/envc-test/busybox:v1", registry.address());
        engine.tag_image(&image, &remote).await.unwrap();
        let pushed = engine.push(&remote, None).await.unwrap();
        assert!(
            pushed.starts_with("sha256:") && pushed.len() == 71,
            "{pushed}"
        );
        assert_eq!(engine.remote_digest(&remote).await.unwrap(), pushed);

        // Pull by digest after forgetting the local tag.
        engine.remove_image(&remote, false).await.unwrap();
        let by_digest = format!("{}/envc-test/busybox@{pushed}", registry.address());
        engine.pull(&by_digest, None).await.unwrap();
        let pulled = engine.inspect_image(&by_digest).await.unwrap();
        assert_eq!(pulled.id, engine.inspect_image(&image).await.unwrap().id);
        assert!(
            pulled.repo_digests.contains(&by_digest),
            "{:?}",
            pulled.repo_digests
        );
        engine.remove_image(&by_digest, false).await.unwrap();

        let missing = format!("{}/envc-test/busybox:nope", registry.address());
        assert!(engine.remote_digest(&missing).await.is_err());
    });
}

#[test]
fn a_registry_that_requires_login_takes_credentials_from_the_docker_config() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    if !crate::support::require("docker-registry (Debian package)", registry::available()) {
        return;
    }
    let image = busybox::image(&rt, &engine);
    let registry = registry::Registry::start_with_auth("envc", "pass word:1");
    let remote = format!("{}/envc-test/private:v1", registry.address());
    let config_dir = tempfile::tempdir().unwrap();
    let config = config_dir.path().join("config.json");
    // base64("envc:pass word:1")
    std::fs::write(
        &config,
        format!(
            r#"{{"auths": {{"{}": {{"auth": "ZW52YzpwYXNzIHdvcmQ6MQ=="}}}}}}"#,
            registry.address()
        ),
    )
    .unwrap();
    let credentials = envc::engine::credentials_from_config(&config, &remote)
        .unwrap()
        .expect("credentials for the registry");
    rt.block_on(async {
        engine.tag_image(&image, &remote).await.unwrap();
        assert!(
            engine.push(&remote, None).await.is_err(),
            "anonymous push must fail"
        );
        let pushed = engine
            .push(&remote, Some(credentials.clone()))
            .await
            .unwrap();
        assert!(engine.remote_digest(&remote).await.is_err());
        assert_eq!(
            engine
                .remote_digest_with(&remote, Some(credentials.clone()))
                .await
                .unwrap(),
            pushed
        );
        engine.remove_image(&remote, false).await.unwrap();
        engine.pull(&remote, Some(credentials)).await.unwrap();
        engine.remove_image(&remote, false).await.unwrap();
    });
}
