//! Field kinds: every string a config gives is parsed once, when the spec is decoded, into a
//! type that cannot hold a bad value — "parse, don't validate". A Debian codename, a mirror
//! URL, an image reference, a container path, a name the engine accepts: each is a newtype
//! here with one check function, so that no later stage (the host's `debootstrap`, the
//! engine, an emitted Dockerfile) can receive a value of the wrong shape.
//!
//! The spec's own deserializer ([`crate::spec::decode`]) knows source spans: it finds a
//! kind's check by the newtype's serde name ([`checker`]) and runs it first, so that the
//! error points at the field's definition with a `help:`. Any other deserializer
//! (serde_json in tests) still gets the same check through the newtype.
//!
//! Some fields keep the plain type their readers use ([`BuildString`], [`RunString`],
//! `String`) and are parsed through their kind by `deserialize_with` ([`via`]): the value is
//! checked exactly as if the field had the kind's type, and the JSON Schema names the kind.
//!
//! The kinds, by file: [`text`] (free text and what control characters each may hold),
//! [`names`] (names the engine and the kernel accept), [`paths`] (container, host and
//! project paths), [`net`] (image references, URLs, digests, addresses), [`debian`]
//! (codenames, components, packages, pip requirements), [`units`] (sizes, modes,
//! durations). Which kind each field has, and why, is in `tests/spec/README.md`.

mod debian;
mod names;
mod net;
mod paths;
mod text;
mod units;
pub mod via;

use std::fmt;

pub use debian::{
    AptName, AptPackage, Codename, Component, DebootstrapVariant, PipRequirement, SnapshotStamp,
};
pub use names::{
    CacheId, Capability, ContainerName, EnvName, GpuId, LabelKey, Name, NetworkName, Owner,
    ServiceName, UlimitName, UserName, VolumeName,
};
pub use net::{Address, DownloadUrl, ImageRef, IndexUrl, MirrorUrl, RegistryRef, Sha256};
pub use paths::{
    AbsPath, ApptainerBind, ApptainerHome, DevicePath, HostPath, ProjectPath, RunPath,
};
pub use text::{
    BuildString, BuildValue, Line, RunString, RunValue, StepName, Text, escape_controls,
};
pub use units::{ByteSize, Duration, FileMode};

/// Why a value does not have the shape its field needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub message: String,
    pub help: Option<String>,
}

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Invalid {
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

type Check = fn(&str) -> Result<(), Invalid>;

/// The check for a field kind, by its serde newtype name.
pub fn checker(newtype_name: &str) -> Option<Check> {
    [
        text::CHECKS,
        names::CHECKS,
        paths::CHECKS,
        net::CHECKS,
        debian::CHECKS,
        units::CHECKS,
    ]
    .into_iter()
    .flatten()
    .find(|(name, _)| *name == newtype_name)
    .map(|(_, check)| *check)
}

/// A value as shown inside a message: control characters (and bidi overrides) escaped so
/// that a hostile value cannot drive the terminal that reads the error, and long values cut.
pub fn shown(value: &str) -> String {
    const MAX: usize = 80;
    let escaped = escape_controls(value);
    if escaped.chars().count() <= MAX {
        return escaped;
    }
    let cut: String = escaped.chars().take(MAX).collect();
    format!("{cut}…")
}

/// A checked string kind, as the plain text it holds.
pub trait Kind {
    fn into_string(self) -> String;
}

/// Define a field kind: a string newtype whose constructor runs `$check`.
macro_rules! kind {
    ($(#[$doc:meta])* $ty:ident, $check:path, $schema:tt) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $ty(String);

        impl $ty {
            /// The serde newtype name the spec deserializer recognises.
            pub const NEWTYPE: &'static str = concat!("envc::", stringify!($ty));

            /// Check and wrap a string.
            pub fn new(value: impl Into<String>) -> Result<Self, $crate::spec::model::Invalid> {
                let value = value.into();
                $check(&value)?;
                Ok($ty(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

        }

        impl $crate::spec::model::kinds::Kind for $ty {
            fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        $ty::new(v).map_err(|e| match e.help {
                            Some(help) => E::custom(format!("{}; {}", e.message, help)),
                            None => E::custom(e.message),
                        })
                    }
                    fn visit_newtype_struct<D: serde::Deserializer<'de>>(
                        self,
                        d: D,
                    ) -> Result<$ty, D::Error> {
                        d.deserialize_str(self)
                    }
                }
                deserializer.deserialize_newtype_struct(Self::NEWTYPE, V)
            }
        }

        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($ty).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}
pub(crate) use kind;

#[cfg(test)]
mod tests;
