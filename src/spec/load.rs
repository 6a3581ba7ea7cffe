//! From a config path to a checked [`Spec`]: collect modules, split out variants, merge,
//! apply the chosen variant, decode, validate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::lang::{Data, Located};
use crate::spec::error::{ErrorKind, SpecError};
use crate::spec::model::Spec;
use crate::spec::modules::{self, Module};
use crate::spec::{decode, merge, suggest, validate};

/// The config file names envc looks for, in the order it prefers them.
pub const CONFIG_NAMES: &[&str] = &["envc.nix", "envc.json"];

/// A loaded, merged and checked config.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The typed spec, with the variant (if any) applied.
    pub spec: Spec,
    /// The variant applied, if any.
    pub variant: Option<String>,
    /// The config file (absolute).
    pub config: PathBuf,
    /// The project root: the config's folder (absolute).
    pub project_root: PathBuf,
    /// The merged evaluated tree the spec was decoded from (variant applied), with spans.
    pub merged: Located,
    /// The files that made up the config, in merge order.
    pub modules: Vec<ModuleSource>,
}

/// One file that contributed to a config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleSource {
    /// As shown in messages: relative to the project root, or `<envc/NAME>`.
    pub name: String,
    /// The file on disk; `None` for built-in modules (embedded in envc).
    pub path: Option<PathBuf>,
}

impl LoadedSpec {
    /// The normalized spec as JSON: every default filled in, object keys sorted.
    pub fn normalized(&self) -> serde_json::Value {
        sort_keys(serde_json::to_value(&self.spec).expect("a spec always serializes"))
    }

    /// The canonical bytes of the normalized spec (sorted keys, no whitespace), for digests.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(&self.normalized()).expect("a JSON value always serializes")
    }

    /// The part of the spec an image is made from — `platform`, `base` and `build`, nothing
    /// of the run side — normalized like [`Self::normalized`]. Image keys start here.
    pub fn image_inputs(&self) -> serde_json::Value {
        let spec = &self.spec;
        sort_keys(serde_json::json!({
            "platform": spec.platform,
            "base": spec.base,
            "build": spec.build,
        }))
    }
}

/// Find the config: `envc.nix` or `envc.json` in `start` or the nearest folder above it.
pub fn discover(start: &Path) -> Result<PathBuf, SpecError> {
    let start = absolute(start);
    for dir in start.ancestors() {
        let found: Vec<PathBuf> = CONFIG_NAMES
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| p.is_file())
            .collect();
        if let Some(first) = found.first() {
            if found.len() > 1 {
                tracing::warn!(
                    "both `envc.nix` and `envc.json` exist in `{}`; using `envc.nix` (choose with `-f FILE`)",
                    dir.display()
                );
            }
            return Ok(first.clone());
        }
    }
    Err(SpecError::new(ErrorKind::NotFound { dir: start })
        .help("create an `envc.nix` or `envc.json`, or name one with `-f FILE`"))
}

/// What a caller may change about loading (the language server: unsaved buffers, a budget).
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Texts that replace files on disk, by absolute path.
    pub overlay: crate::lang::io::Overlay,
    /// Abort each module's evaluation after this many steps (hostile input must not hang).
    pub max_steps: Option<u64>,
    /// The evaluation's memory ceiling in bytes (`None`: the process's, see
    /// [`crate::lang::budget`]).
    pub max_memory: Option<u64>,
}

/// Load `config`, applying `variant` if given.
pub fn load(config: &Path, variant: Option<&str>) -> Result<LoadedSpec, SpecError> {
    load_with(config, variant, &LoadOptions::default())
}

/// [`load`] with [`LoadOptions`].
pub fn load_with(
    config: &Path,
    variant: Option<&str>,
    opts: &LoadOptions,
) -> Result<LoadedSpec, SpecError> {
    let config = absolute(config);
    // The real cause for a device, FIFO, folder, loop or non-UTF-8 file, before evaluating
    // (an editor's unsaved text has none of these).
    if !opts.overlay.contains_key(&config) {
        let name = config.file_name().map_or_else(
            || config.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        super::config_file::read(&config, &name)?;
    }
    let root = config.parent().unwrap_or(Path::new("/")).to_path_buf();
    let modules = modules::collect_with(&config, &root, opts)?;
    let sources = modules
        .iter()
        .map(|m| ModuleSource {
            name: m.name.clone(),
            path: (!m.path.starts_with(modules::EMBEDDED_ROOT)).then(|| m.path.clone()),
        })
        .collect();
    let (merged, variant) = merge_modules(modules, variant, &root)?;
    // Errors found once a variant is applied may come from the variant or from how it
    // combines with the config; say which variant was being applied.
    let in_variant = |e: SpecError| match &variant {
        Some(name) => e.context(format!("in variant `{name}`")),
        None => e,
    };
    let mut spec: Spec = decode::decode(&merged, &root, &[]).map_err(in_variant)?;
    validate::validate(&spec, &merged, &root).map_err(in_variant)?;
    normalize(&mut spec);
    Ok(LoadedSpec {
        spec,
        variant,
        config,
        project_root: root,
        merged,
        modules: sources,
    })
}

/// Lists that are sets in meaning lose repeats (keeping the first), so that two modules can
/// both ask for `ca-certificates` without the spec (and its key) saying it twice.
fn normalize(spec: &mut Spec) {
    dedup(&mut spec.build.apt);
    for service in spec.services.values_mut() {
        if let Some(build) = &mut service.build {
            dedup(&mut build.build.apt);
        }
    }
    dedup(&mut spec.run.pass_env);
    dedup(&mut spec.run.cap_add);
    dedup(&mut spec.run.cap_drop);
}

fn dedup<T: PartialEq + Clone>(items: &mut Vec<T>) {
    let mut kept: Vec<T> = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        if !kept.contains(&item) {
            kept.push(item);
        }
    }
    *items = kept;
}

/// Merge the modules, with the variant's definitions as a last module; the merged tree's
/// `variants` holds every variant (merged across modules, not applied).
fn merge_modules(
    modules: Vec<Module>,
    variant: Option<&str>,
    root: &Path,
) -> Result<(Located, Option<String>), SpecError> {
    let mut defs = Vec::new();
    let mut variant_trees = Vec::new();
    let mut variant_defs: BTreeMap<String, Vec<Located>> = BTreeMap::new();
    for module in modules {
        let Data::Attrs(mut attrs) = module.value.data else {
            unreachable!("modules are attribute sets")
        };
        if let Some(variants) = attrs.remove("variants") {
            match &variants.data {
                Data::Attrs(by_name) => {
                    for (name, def) in by_name {
                        check_variant_def(name, def)?;
                        variant_defs
                            .entry(name.clone())
                            .or_default()
                            .push(def.clone());
                    }
                }
                _ => {
                    return Err(SpecError::new(ErrorKind::WrongType {
                        at: "variants".into(),
                        expected: "an attribute set of variants".into(),
                        found: modules::describe(&variants.data),
                    })
                    .at(variants.span.as_ref(), "expected `{ NAME = { ... }; }`")
                    .help("write `variants.NAME = { ... };`, a partial spec per variant"));
                }
            }
            variant_trees.push(variants);
        }
        defs.push(Located::new(Data::Attrs(attrs), module.value.span));
    }
    let chosen = match variant {
        None => None,
        Some(name) => match variant_defs.get(name) {
            Some(vdefs) => {
                defs.extend(vdefs.iter().cloned());
                Some(name.to_string())
            }
            None => {
                let names: Vec<&str> = variant_defs.keys().map(String::as_str).collect();
                let help = match (
                    suggest::closest(name, names.iter().copied()),
                    names.is_empty(),
                ) {
                    (_, true) => "this config defines no variants".to_string(),
                    (Some(best), _) => {
                        format!("did you mean `{best}`? variants: {}", quoted(&names))
                    }
                    (None, _) => format!("variants: {}", quoted(&names)),
                };
                return Err(SpecError::new(ErrorKind::NoSuchVariant {
                    name: name.to_string(),
                })
                .help(help));
            }
        },
    };
    let merged = merge::merge(defs, &[])
        .map_err(|e| match &chosen {
            Some(name) => e.context(format!("in variant `{name}`")),
            None => e,
        })?
        .unwrap_or_else(|| Located::new(Data::Attrs(BTreeMap::new()), None));
    let mut merged = merged;
    if !variant_trees.is_empty()
        && let Some(variants) = merge::merge(variant_trees, &["variants".to_string()])?
        && let Data::Attrs(top) = &mut merged.data
    {
        top.insert("variants".into(), relative_paths(variants, root));
    }
    Ok((merged, chosen))
}

fn check_variant_def(name: &str, def: &Located) -> Result<(), SpecError> {
    let Data::Attrs(attrs) = &def.data else {
        return Err(SpecError::new(ErrorKind::WrongType {
            at: format!("variants.{name}"),
            expected: "an attribute set (a partial spec)".into(),
            found: modules::describe(&def.data),
        })
        .at(def.span.as_ref(), "expected `{ ... }`")
        .help("a variant is a partial spec: `{ build.apt = [ ... ]; }`"));
    };
    for key in ["variants", "imports"] {
        if let Some(bad) = attrs.get(key) {
            return Err(SpecError::new(ErrorKind::UnknownField {
                field: key.into(),
                within: format!("`variants.{name}`"),
            })
            .at(bad.span.as_ref(), "not allowed in a variant")
            .help("a variant is a partial spec applied on top of the config; it cannot define variants or imports"));
        }
    }
    Ok(())
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Path values inside a stored (unapplied) variant become project-relative strings, so that
/// the spec does not depend on where the project is checked out.
fn relative_paths(value: Located, root: &Path) -> Located {
    let data = match value.data {
        Data::Path(p) => match p.strip_prefix(root) {
            Ok(rel) => Data::String(rel.display().to_string()),
            Err(_) => Data::Path(p),
        },
        Data::List(items) => {
            Data::List(items.into_iter().map(|i| relative_paths(i, root)).collect())
        }
        Data::Attrs(attrs) => Data::Attrs(
            attrs
                .into_iter()
                .map(|(k, v)| (k, relative_paths(v, root)))
                .collect(),
        ),
        other => other,
    };
    Located::new(data, value.span)
}

/// The JSON form of evaluated data (paths under `root` become relative strings).
pub fn to_json(value: &Located, root: &Path) -> serde_json::Value {
    use serde_json::Value;
    match &value.data {
        Data::Null => Value::Null,
        Data::Bool(b) => Value::Bool(*b),
        Data::Int(i) => Value::from(*i),
        Data::Float(x) => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
        Data::String(s) => Value::String(s.clone()),
        Data::Path(p) => Value::String(
            p.strip_prefix(root)
                .map_or_else(|_| p.display().to_string(), |r| r.display().to_string()),
        ),
        Data::List(items) => Value::Array(items.iter().map(|i| to_json(i, root)).collect()),
        Data::Attrs(attrs) => Value::Object(
            attrs
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v, root)))
                .collect(),
        ),
    }
}

/// Sort object keys recursively (serde_json keeps insertion order in this crate).
pub fn sort_keys(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sort_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    modules::normalize(&joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_json(text: &str) -> LoadedSpec {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("envc.json");
        std::fs::write(&path, text).unwrap();
        load(&path, None).unwrap()
    }

    #[test]
    fn run_side_changes_leave_image_inputs_alone() {
        let a = load_json(
            r#"{"name": "a", "base": {"image": "debian:bookworm"}, "build": {"apt": ["git"]}}"#,
        );
        let b = load_json(
            r#"{"name": "b", "base": {"image": "debian:bookworm"}, "build": {"apt": ["git"]},
                "run": {"gpu": "all", "env": {"X": "{home}"}}, "build_host": {"proxy": true}}"#,
        );
        assert_eq!(a.image_inputs(), b.image_inputs());
        assert_ne!(a.canonical_json(), b.canonical_json());
        let c = load_json(
            r#"{"name": "a", "base": {"image": "debian:bookworm"}, "build": {"apt": ["curl"]}}"#,
        );
        assert_ne!(a.image_inputs(), c.image_inputs());
    }

    #[test]
    fn canonical_json_is_sorted_and_compact() {
        let a = load_json(r#"{"name": "a", "base": {"image": "debian:bookworm"}}"#);
        let text = a.canonical_json();
        assert!(
            text.starts_with(r#"{"base":{"image":"debian:bookworm"},"build":{"apt":[]"#),
            "{text}"
        );
        assert!(!text.contains(": ") && !text.contains(", ") && !text.contains('\n'));
    }
}
