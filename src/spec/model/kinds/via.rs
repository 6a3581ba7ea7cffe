//! `deserialize_with` helpers: a field whose readers take a plain [`RunString`],
//! [`BuildString`] or `String` is still parsed by its own kind, so the spec cannot hold a
//! value of the wrong shape (and the decoder reports the kind's error at the value).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

use super::{BuildString, EnvName, Kind, LabelKey, RunString};

fn to_run<E: serde::de::Error>(k: impl Kind) -> Result<RunString, E> {
    RunString::new(k.into_string()).map_err(|e| E::custom(e.message))
}

fn to_build<E: serde::de::Error>(k: impl Kind) -> Result<BuildString, E> {
    BuildString::new(k.into_string()).map_err(|e| E::custom(e.message))
}

/// A [`RunString`] parsed as `K`.
pub fn run<'de, D: Deserializer<'de>, K: Deserialize<'de> + Kind>(
    d: D,
) -> Result<RunString, D::Error> {
    to_run(K::deserialize(d)?)
}

/// An optional [`RunString`] parsed as `K`.
pub fn run_opt<'de, D: Deserializer<'de>, K: Deserialize<'de> + Kind>(
    d: D,
) -> Result<Option<RunString>, D::Error> {
    Option::<K>::deserialize(d)?.map(to_run).transpose()
}

/// A list of [`RunString`]s, each parsed as `K`.
pub fn run_vec<'de, D: Deserializer<'de>, K: Deserialize<'de> + Kind>(
    d: D,
) -> Result<Vec<RunString>, D::Error> {
    Vec::<K>::deserialize(d)?.into_iter().map(to_run).collect()
}

/// An optional list of [`RunString`]s, each parsed as `K`.
pub fn run_vec_opt<'de, D: Deserializer<'de>, K: Deserialize<'de> + Kind>(
    d: D,
) -> Result<Option<Vec<RunString>>, D::Error> {
    match Option::<Vec<K>>::deserialize(d)? {
        Some(items) => items
            .into_iter()
            .map(to_run)
            .collect::<Result<_, _>>()
            .map(Some),
        None => Ok(None),
    }
}

/// Environment variables whose values are parsed as `K`.
pub fn run_env<'de, D: Deserializer<'de>, K: Deserialize<'de> + Kind>(
    d: D,
) -> Result<BTreeMap<EnvName, RunString>, D::Error> {
    BTreeMap::<EnvName, K>::deserialize(d)?
        .into_iter()
        .map(|(name, value)| Ok((name, to_run(value)?)))
        .collect()
}

/// A [`BuildString`] parsed as `K`.
pub fn build<'de, D: Deserializer<'de>, K: Deserialize<'de> + Kind>(
    d: D,
) -> Result<BuildString, D::Error> {
    to_build(K::deserialize(d)?)
}

/// An optional [`BuildString`] parsed as `K`.
pub fn build_opt<'de, D: Deserializer<'de>, K: Deserialize<'de> + Kind>(
    d: D,
) -> Result<Option<BuildString>, D::Error> {
    Option::<K>::deserialize(d)?.map(to_build).transpose()
}

/// A list of [`BuildString`]s, each parsed as `K`.
pub fn build_vec<'de, D: Deserializer<'de>, K: Deserialize<'de> + Kind>(
    d: D,
) -> Result<Vec<BuildString>, D::Error> {
    Vec::<K>::deserialize(d)?
        .into_iter()
        .map(to_build)
        .collect()
}

/// Environment variables whose values are parsed as `K`.
pub fn build_env<'de, D: Deserializer<'de>, K: Deserialize<'de> + Kind>(
    d: D,
) -> Result<BTreeMap<EnvName, BuildString>, D::Error> {
    BTreeMap::<EnvName, K>::deserialize(d)?
        .into_iter()
        .map(|(name, value)| Ok((name, to_build(value)?)))
        .collect()
}

/// Image labels: keys parsed as [`LabelKey`], values as `K`.
pub fn labels<'de, D: Deserializer<'de>, K: Deserialize<'de> + Kind>(
    d: D,
) -> Result<BTreeMap<String, BuildString>, D::Error> {
    BTreeMap::<LabelKey, K>::deserialize(d)?
        .into_iter()
        .map(|(key, value)| Ok((key.into_string(), to_build(value)?)))
        .collect()
}

/// A plain `String` parsed as `K`.
pub fn string<'de, D: Deserializer<'de>, K: Deserialize<'de> + Kind>(
    d: D,
) -> Result<String, D::Error> {
    Ok(K::deserialize(d)?.into_string())
}

/// An optional plain `String` parsed as `K`.
pub fn string_opt<'de, D: Deserializer<'de>, K: Deserialize<'de> + Kind>(
    d: D,
) -> Result<Option<String>, D::Error> {
    Ok(Option::<K>::deserialize(d)?.map(Kind::into_string))
}

/// A map whose keys are parsed as `K` and kept as plain `String`s.
pub fn keys<'de, D: Deserializer<'de>, K: Deserialize<'de> + Kind + Ord, V: Deserialize<'de>>(
    d: D,
) -> Result<BTreeMap<String, V>, D::Error> {
    Ok(BTreeMap::<K, V>::deserialize(d)?
        .into_iter()
        .map(|(k, v)| (k.into_string(), v))
        .collect())
}
