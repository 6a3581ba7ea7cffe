//! What is built into the image. With the base, the only input of image keys, so nothing
//! here may depend on the host: its strings are [`BuildString`]s, which refuse placeholders.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::kinds::{
    AbsPath, AptPackage, BuildString, BuildValue, CacheId, DownloadUrl, EnvName, FileMode,
    IndexUrl, LabelKey, Owner, PipRequirement, ProjectPath, Sha256, StepName, Text, via,
};

/// The image's contents, applied in this order: apt packages, pip requirements, files,
/// steps; then image settings (env, labels, workdir, shell, entrypoint, cmd).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildSpec {
    /// Debian packages to install: `name`, or `name=version` to pin one.
    #[serde(default)]
    pub apt: Vec<AptPackage>,
    /// Python packages installed with pip.
    #[serde(default)]
    pub pip: PipSpec,
    /// Files to place in the image, by absolute target path.
    #[serde(default)]
    pub files: BTreeMap<AbsPath, FileSource>,
    /// Shell steps, run in order as root after packages and files (a file with `after`
    /// is placed right after the step it names).
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Environment variables baked into the image.
    #[serde(default, deserialize_with = "via::build_env::<_, BuildValue>")]
    #[schemars(with = "BTreeMap<EnvName, BuildValue>")]
    pub env: BTreeMap<EnvName, BuildString>,
    /// OCI labels on the image (`dev.envc.*` are envc's own).
    #[serde(default, deserialize_with = "via::labels::<_, BuildValue>")]
    #[schemars(with = "BTreeMap<LabelKey, BuildValue>")]
    pub labels: BTreeMap<String, BuildString>,
    /// The image's working directory.
    #[serde(default)]
    pub workdir: Option<AbsPath>,
    /// The shell steps run with, as an argv prefix (default `/bin/sh -e -c`: a failing
    /// command fails the step, as a build script should).
    #[serde(default = "default_shell")]
    pub shell: Vec<BuildString>,
    /// The image's entrypoint.
    #[serde(default)]
    pub entrypoint: Option<Vec<BuildString>>,
    /// The image's default command.
    #[serde(default)]
    pub cmd: Option<Vec<BuildString>>,
    /// Install `sudo` and let the mapped user use it without a password.
    #[serde(default)]
    pub sudo: bool,
}

fn default_shell() -> Vec<BuildString> {
    ["/bin/sh", "-e", "-c"]
        .into_iter()
        .map(|s| BuildString::new(s).expect("a literal without placeholders"))
        .collect()
}

/// Python packages installed with pip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PipSpec {
    /// Requirement specifiers such as `numpy==1.26.4`; `envc lock` pins versions and hashes.
    #[serde(default)]
    pub packages: Vec<PipRequirement>,
    /// The interpreter pip runs under.
    #[serde(default = "default_python")]
    pub python: AbsPath,
    /// The package index to use instead of PyPI.
    #[serde(default, deserialize_with = "via::build_opt::<_, IndexUrl>")]
    #[schemars(with = "Option<IndexUrl>")]
    pub index_url: Option<BuildString>,
    /// Further indexes searched after `index_url`.
    #[serde(default, deserialize_with = "via::build_vec::<_, IndexUrl>")]
    #[schemars(with = "Vec<IndexUrl>")]
    pub extra_index_urls: Vec<BuildString>,
    /// Install into the system interpreter even when it is marked externally managed
    /// (Debian 12 and later).
    #[serde(default = "super::default_true")]
    pub break_system_packages: bool,
}

impl Default for PipSpec {
    fn default() -> Self {
        PipSpec {
            packages: Vec::new(),
            python: default_python(),
            index_url: None,
            extra_index_urls: Vec::new(),
            break_system_packages: true,
        }
    }
}

fn default_python() -> AbsPath {
    AbsPath::new("/usr/bin/python3").expect("an absolute path")
}

/// A file placed in the image: from the project (`source`), written out (`text`), or
/// downloaded (`url`); exactly one of the three.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileSource {
    /// A project file to copy, relative to the project root.
    #[serde(default)]
    pub source: Option<ProjectPath>,
    /// The file's contents, written out as given (any character but NUL).
    #[serde(default, deserialize_with = "via::build_opt::<_, Text>")]
    #[schemars(with = "Option<Text>")]
    pub text: Option<BuildString>,
    /// An `http(s)` URL the host downloads the file from; `envc lock` records its SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<DownloadUrl>,
    /// The SHA-256 the download must have (lowercase hex), pinning it in the config itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<Sha256>,
    /// The file's mode, in octal.
    #[serde(default = "default_mode")]
    pub mode: FileMode,
    /// The file's owner, as `user:group` names or ids that exist in the image.
    #[serde(default = "default_owner", deserialize_with = "via::build::<_, Owner>")]
    #[schemars(with = "Owner")]
    pub owner: BuildString,
    /// The `name` of the build step this file is placed right after (before the steps that
    /// follow it). Without it the file is placed before every step. Place the files that
    /// change often (the project's code) after the expensive steps, so that editing them
    /// re-runs only what follows.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "via::string_opt::<_, StepName>"
    )]
    #[schemars(with = "Option<StepName>")]
    pub after: Option<String>,
}

fn default_mode() -> FileMode {
    FileMode::new("0644").expect("a valid mode")
}

fn default_owner() -> BuildString {
    BuildString::new("root:root").expect("no placeholders")
}

/// One shell step of the build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A short name shown in build progress (one line, no control characters).
    #[serde(default, deserialize_with = "via::string_opt::<_, StepName>")]
    #[schemars(with = "Option<StepName>")]
    pub name: Option<String>,
    /// The shell script to run.
    pub run: BuildString,
    /// Environment for this step only (not kept in the image).
    #[serde(default, deserialize_with = "via::build_env::<_, BuildValue>")]
    #[schemars(with = "BTreeMap<EnvName, BuildValue>")]
    pub env: BTreeMap<EnvName, BuildString>,
    /// The working directory of the step.
    #[serde(default)]
    pub workdir: Option<AbsPath>,
    /// Cache volumes mounted during the step only (package caches, compiler caches).
    #[serde(default)]
    pub caches: Vec<CacheMount>,
    /// Whether the step may use the network.
    #[serde(default = "super::default_true")]
    pub network: bool,
    /// `false` marks a step whose output is inherently not reproducible (it writes a
    /// timestamp or random bytes): `envc verify --rebuild` reports the files it writes as a
    /// known exclusion instead of a failure, and `envc audit` lists the step.
    #[serde(default = "super::default_true")]
    pub reproducible: bool,
}

/// A named cache volume mounted into a build step and kept between builds; its contents
/// never enter the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CacheMount {
    /// The cache's name; steps that use the same name share the cache.
    #[serde(deserialize_with = "via::string::<_, CacheId>")]
    #[schemars(with = "CacheId")]
    pub id: String,
    /// Where the cache is mounted in the build container.
    pub target: AbsPath,
}
