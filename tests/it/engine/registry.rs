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
