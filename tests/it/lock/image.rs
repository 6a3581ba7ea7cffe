use envc::lock::resolve::{DigestKind, ResolveError, image_digest};

use crate::support::{busybox, docker, registry};

#[test]
fn a_local_image_without_a_registry_is_pinned_by_its_id() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    let pin = rt.block_on(image_digest(&engine, &image)).unwrap();
    let id = rt.block_on(engine.inspect_image(&image)).unwrap().id;
    assert_eq!(pin.kind, DigestKind::ImageId);
    assert_eq!(pin.digest, id);
    assert_eq!(pin.pinned_reference(), id);
}

#[test]
fn a_registry_image_is_pinned_by_its_manifest_digest_remote_and_local() {
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
        let remote = format!("{}/envc-test/pinned:v1", registry.address());
        engine.tag_image(&image, &remote).await.unwrap();
        let pushed = engine.push(&remote, None).await.unwrap();
        // Not present locally: the registry is asked.
        engine.remove_image(&remote, false).await.unwrap();
        let pin = image_digest(&engine, &remote).await.unwrap();
        assert_eq!(
            (pin.kind, pin.digest.as_str()),
            (DigestKind::Manifest, pushed.as_str())
        );
        assert_eq!(pin.image_id, None);
        assert_eq!(
            pin.pinned_reference(),
            format!("{}/envc-test/pinned@{pushed}", registry.address())
        );
        // Present locally after a pull: read from its RepoDigests, same answer.
        engine.pull(&remote, None).await.unwrap();
        let local = image_digest(&engine, &remote).await.unwrap();
        assert_eq!(
            (local.kind, local.digest.as_str()),
            (DigestKind::Manifest, pushed.as_str())
        );
        assert!(local.image_id.is_some());
        // A tag that moves gives a new digest: the lock notices.
        engine.remove_image(&remote, false).await.unwrap();

        let unknown = format!("{}/envc-test/pinned:missing", registry.address());
        let error = image_digest(&engine, &unknown).await.unwrap_err();
        assert!(
            matches!(error, ResolveError::UnknownImage { .. }),
            "{error:?}"
        );
        assert_eq!(error.failure().code(), 2);
    });
}
