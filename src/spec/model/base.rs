//! The base an image starts from. Part of every image key.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::kinds::{
    AptName, BuildString, Codename, Component, DebootstrapVariant, ImageRef, MirrorUrl,
    ProjectPath, Sha256, SnapshotStamp, via,
};

/// Where the image starts from. Exactly one of `image`, `debootstrap` or `archive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Base {
    /// A registry image with an explicit tag and/or digest (`debian:bookworm`,
    /// `nvidia/cuda:12.4.1-devel-ubuntu22.04@sha256:...`). `envc lock` pins the digest.
    Image(ImageRef),
    /// A Debian or Ubuntu root filesystem made with `debootstrap`; needs no registry.
    Debootstrap(DebootstrapBase),
    /// An image archive file in the project, pinned by its SHA-256.
    Archive(ArchiveBase),
}

/// A root filesystem made by `debootstrap`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DebootstrapBase {
    /// The suite or codename, such as `bookworm` or `jammy`. It is an argument of the host's
    /// `debootstrap`, run as root, so only a codename is accepted.
    #[serde(deserialize_with = "via::build::<_, Codename>")]
    #[schemars(with = "Codename")]
    pub suite: BuildString,
    /// The debootstrap variant: `minbase` (smallest), `buildd` or `-` (standard).
    #[serde(
        default = "default_variant",
        deserialize_with = "via::build::<_, DebootstrapVariant>"
    )]
    #[schemars(with = "DebootstrapVariant")]
    pub variant: BuildString,
    /// The archive mirror to bootstrap from.
    #[serde(
        default = "default_mirror",
        deserialize_with = "via::build::<_, MirrorUrl>"
    )]
    #[schemars(with = "MirrorUrl")]
    pub mirror: BuildString,
    /// Archive components to enable.
    #[serde(
        default = "default_components",
        deserialize_with = "via::build_vec::<_, Component>"
    )]
    #[schemars(with = "Vec<Component>")]
    pub components: Vec<BuildString>,
    /// Extra packages included in the bootstrap itself.
    #[serde(default)]
    pub include: Vec<AptName>,
    /// Further suites of the same mirror to enable (debootstrap's `--extra-suites`), such as
    /// `trixie-backports` or `trixie-updates`; they enter the image's apt sources after the
    /// suite. Packages come from them only when asked (`rustc/trixie-backports` in
    /// `build.apt`) or when the suite lacks them. Codenames only: debootstrap takes them as
    /// one comma-separated argument.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "via::build_vec::<_, Codename>"
    )]
    #[schemars(with = "Vec<Codename>")]
    pub extra_suites: Vec<BuildString>,
    /// A snapshot.debian.org timestamp (`20240601T000000Z`) to bootstrap from a fixed
    /// archive state instead of the moving mirror.
    #[serde(default, deserialize_with = "via::build_opt::<_, SnapshotStamp>")]
    #[schemars(with = "Option<SnapshotStamp>")]
    pub snapshot: Option<BuildString>,
}

fn literal(s: &str) -> BuildString {
    BuildString::new(s).expect("a literal without placeholders")
}

fn default_variant() -> BuildString {
    literal("minbase")
}

fn default_mirror() -> BuildString {
    literal("http://deb.debian.org/debian")
}

fn default_components() -> Vec<BuildString> {
    vec![literal("main")]
}

/// An image archive stored in the project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchiveBase {
    /// The archive file, relative to the project root.
    pub path: ProjectPath,
    /// What kind of archive it is.
    #[serde(default)]
    pub format: ArchiveFormat,
    /// The archive's SHA-256; the build refuses a file that does not match.
    pub sha256: Sha256,
}

/// The layout of an image archive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ArchiveFormat {
    /// The tar written by `docker save`.
    #[default]
    DockerArchive,
    /// An OCI image layout in a tar.
    Oci,
}
