//! The check `envc up` and `envc run` make before starting an image: its labels match the
//! key its inputs give, and its files match the rootfs digest recorded at build time.
//!
//! Listing the files costs one export of the image (seconds for a large one), which is the
//! price of never running an image that was changed under its tag. It is paid once per
//! image ID: an ID names the image's layers by content, so a matched ID is remembered
//! (`crate::build::verified`, which the build also fills for the images it labels) and an
//! image changed and re-tagged, having another ID, is listed again.

use crate::build::cache::KEY_LABEL;
use crate::build::rootfs_label::ROOTFS_LABEL;
use crate::build::verified;
use crate::engine::{Engine, EngineError};
use crate::engine::{ImageListError, list_image};
use crate::plan::Key;

/// Why an image must not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum QuickCheckError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] EngineError),
    #[error("image `{image}` carries key `{found}` but the config gives `{expected}`")]
    #[diagnostic(help("run `envc build` to build the image of the current config"))]
    WrongKey {
        image: String,
        found: String,
        expected: String,
    },
    #[error("image `{image}` has no recorded rootfs digest (`{ROOTFS_LABEL}`)")]
    #[diagnostic(help("run `envc build --no-cache` to rebuild it"))]
    NoDigest { image: String },
    #[error("image `{image}` was changed after it was built: recorded {recorded}, found {found}")]
    #[diagnostic(help(
        "run `envc verify` to see the changed paths, and `envc build --no-cache` to rebuild"
    ))]
    Changed {
        image: String,
        recorded: String,
        found: String,
    },
    #[error("cannot list the files of image `{image}`: {reason}")]
    Unreadable { image: String, reason: String },
}

/// Check that `image` is the one `key` names, with the files recorded when it was built.
pub async fn quick_check(engine: &Engine, image: &str, key: &Key) -> Result<(), QuickCheckError> {
    let info = engine.inspect_image(image).await?;
    let found = info.labels.get(KEY_LABEL).cloned().unwrap_or_default();
    if found != key.hex() {
        return Err(QuickCheckError::WrongKey {
            image: image.to_owned(),
            found,
            expected: key.hex(),
        });
    }
    let Some(recorded) = info.labels.get(ROOTFS_LABEL).cloned() else {
        return Err(QuickCheckError::NoDigest {
            image: image.to_owned(),
        });
    };
    if verified::is_verified(&info.id, &recorded) {
        return Ok(());
    }
    let listing = list_image(engine, &info.id).await.map_err(|e| match e {
        ImageListError::Engine(e) => QuickCheckError::Engine(e),
        other => QuickCheckError::Unreadable {
            image: image.to_owned(),
            reason: crate::error_chain::error_chain(&other),
        },
    })?;
    let digest = listing.digest();
    if digest != recorded {
        return Err(QuickCheckError::Changed {
            image: image.to_owned(),
            recorded,
            found: digest,
        });
    }
    verified::remember(&info.id, &recorded);
    Ok(())
}
