//! Apptainer's metadata tree (`/.singularity.d`) for an image converted from Docker.
//!
//! `apptainer build` from a Docker image unpacks the layers and adds a fixed tree that
//! Apptainer's runtime relies on: environment scripts sourced before every action
//! (`env/*.sh`, with the image's `Env` in `10-docker2singularity.sh`), the `runscript`
//! made from `ENTRYPOINT`/`CMD`, `labels.json` for `apptainer inspect`, the action
//! scripts, the `/singularity` link and a few mount-point directories. We produce the
//! same layout, file names and behaviour so that a natively assembled SIF runs exactly
//! like one Apptainer built; the scripts are our own text, written for these semantics:
//!
//! - Image env values are defaults: a variable already set (passed from the host or with
//!   `--env`) wins, except `PATH`, which the image always sets — as Apptainer does.
//! - The runscript follows Docker: arguments replace `CMD` and are appended to
//!   `ENTRYPOINT`, passed through `exec "$@"` with no re-evaluation by a shell (what
//!   Apptainer does when `SINGULARITY_NO_EVAL` is set, and what Docker users expect).
//! - `WorkingDir` is not applied: Apptainer starts in the caller's directory (or
//!   `--pwd`), and envc's run manifest sets that explicitly.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::squashfs::ExtraEntry;

/// The parts of an image config (OCI `config` / `docker inspect` `.Config`) that the
/// metadata tree is made from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageConfig {
    #[serde(default, deserialize_with = "null_as_default")]
    pub env: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub entrypoint: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub cmd: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub working_dir: String,
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    #[error("image env entry `{0}` does not start with a valid shell variable name")]
    InvalidEnvName(String),
}

/// Every entry of the metadata tree, to be laid over the image's filesystem.
pub fn metadata_tree(config: &ImageConfig) -> Result<Vec<ExtraEntry>, MetaError> {
    let mut tree = vec![
        ExtraEntry::dir(".singularity.d"),
        ExtraEntry::dir(".singularity.d/actions"),
        ExtraEntry::dir(".singularity.d/env"),
        ExtraEntry::dir(".singularity.d/libs"),
    ];
    for (name, body) in ACTIONS {
        tree.push(ExtraEntry::file(
            &format!(".singularity.d/actions/{name}"),
            0o755,
            body.as_bytes(),
        ));
    }
    let env_scripts: [(&str, String); 7] = [
        ("01-base.sh", BASE_ENV.to_string()),
        ("10-docker2singularity.sh", docker_env_script(&config.env)?),
        ("90-environment.sh", CUSTOM_ENV.to_string()),
        ("94-appsbase.sh", APPS_BASE_ENV.to_string()),
        ("95-apps.sh", APPS_ENV.to_string()),
        ("99-base.sh", FINAL_ENV.to_string()),
        ("99-runtimevars.sh", RUNTIME_VARS_ENV.to_string()),
    ];
    for (name, body) in env_scripts {
        tree.push(ExtraEntry::file(
            &format!(".singularity.d/env/{name}"),
            0o755,
            body,
        ));
    }
    tree.push(ExtraEntry::file(
        ".singularity.d/runscript",
        0o755,
        runscript(&config.entrypoint, &config.cmd),
    ));
    tree.push(ExtraEntry::file(
        ".singularity.d/startscript",
        0o755,
        "#!/bin/sh\n",
    ));
    tree.push(ExtraEntry::file(
        ".singularity.d/labels.json",
        0o644,
        labels_json(&config.labels),
    ));

    // The links Apptainer's build makes at the root of every image.
    for (link, target) in [
        ("singularity", "/.singularity.d/runscript"),
        (".run", "/.singularity.d/actions/run"),
        (".exec", "/.singularity.d/actions/exec"),
        (".test", "/.singularity.d/actions/test"),
        (".shell", "/.singularity.d/actions/shell"),
        ("environment", "/.singularity.d/env/90-environment.sh"),
    ] {
        tree.push(ExtraEntry::symlink(link, target));
    }

    // Mount points the runtime binds over; created only where the image has nothing.
    for dir in ["dev", "proc", "sys", "etc", "root", "home"] {
        tree.push(ExtraEntry::dir(dir).if_missing());
    }
    for dir in ["tmp", "var/tmp"] {
        let mut entry = ExtraEntry::dir(dir).if_missing();
        entry.mode = 0o1777;
        tree.push(entry);
    }
    // Apptainer binds the host's versions over these; they must exist as files. Docker's
    // export has the engine's bind-mount targets here; Apptainer empties them too.
    tree.push(ExtraEntry::file("etc/hosts", 0o644, ""));
    tree.push(ExtraEntry::file("etc/resolv.conf", 0o644, ""));
    // Docker's marker file says "inside Docker", which a SIF is not.
    tree.push(ExtraEntry::absent(".dockerenv"));
    Ok(tree)
}

/// `10-docker2singularity.sh`: the image's `Env`, each value a default (see module doc).
pub fn docker_env_script(env: &[String]) -> Result<String, MetaError> {
    let mut script =
        String::from("#!/bin/sh\n# The image's environment (Docker `ENV`), written by envc.\n");
    for item in env {
        let (name, value) = match item.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (item.as_str(), None),
        };
        if !is_shell_name(name) {
            return Err(MetaError::InvalidEnvName(item.clone()));
        }
        match value {
            None => script.push_str(&format!("export {name}=\"${{{name}:-}}\"\n")),
            Some(value) if name == "PATH" => {
                script.push_str(&format!("export PATH={}\n", single_quote(value)))
            }
            Some(value) => script.push_str(&format!(
                "if [ -z \"${{{name}:-}}\" ]; then {name}={}; fi; export {name}\n",
                single_quote(value)
            )),
        }
    }
    Ok(script)
}

/// The runscript: Docker's `ENTRYPOINT` + (`CMD` or the arguments), exec'd as given.
pub fn runscript(entrypoint: &[String], cmd: &[String]) -> String {
    let words = |list: &[String]| {
        list.iter()
            .map(|w| single_quote(w))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut script = String::from(
        "#!/bin/sh\n\
         # The image's ENTRYPOINT and CMD, written by envc with Docker's meaning:\n\
         # arguments replace CMD and are appended to ENTRYPOINT.\n",
    );
    script.push_str(&format!(
        "OCI_ENTRYPOINT={}\n",
        single_quote(&words(entrypoint))
    ));
    script.push_str(&format!("OCI_CMD={}\n", single_quote(&words(cmd))));
    if !cmd.is_empty() {
        script.push_str(&format!(
            "if [ $# -eq 0 ]; then\n    set -- {}\nfi\n",
            words(cmd)
        ));
    }
    if !entrypoint.is_empty() {
        script.push_str(&format!("set -- {} \"$@\"\n", words(entrypoint)));
    }
    script.push_str(
        "if [ $# -eq 0 ]; then\n    \
         echo \"this image has no ENTRYPOINT or CMD; give a command to run\" >&2\n    \
         exit 1\nfi\n\
         exec \"$@\"\n",
    );
    script
}

/// `labels.json` as Apptainer writes it: keys sorted, tab-indented.
pub fn labels_json(labels: &BTreeMap<String, String>) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    labels
        .serialize(&mut serializer)
        .expect("a string map serializes");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// POSIX single quoting: `it's` → `'it'\''s'` (the one shell quoting, `crate::escape::shell`).
pub fn single_quote(value: &str) -> String {
    crate::escape::shell::quote_always(value)
}

fn is_shell_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Every action sources the env scripts first: that is how it sees the image's environment.
const ACTIONS: [(&str, &str); 5] = [
    (
        "exec",
        concat!(
            "#!/bin/sh\n",
            "for script in /.singularity.d/env/*.sh; do\n    if [ -f \"$script\" ]; then\n        . \"$script\"\n    fi\ndone\n",
            "\nexec \"$@\"\n"
        ),
    ),
    (
        "run",
        concat!(
            "#!/bin/sh\n",
            "for script in /.singularity.d/env/*.sh; do\n    if [ -f \"$script\" ]; then\n        . \"$script\"\n    fi\ndone\n",
            "\nif [ -x /.singularity.d/runscript ]; then\n",
            "    exec /.singularity.d/runscript \"$@\"\n",
            "fi\n",
            "echo \"no runscript in this image; running /bin/sh\" >&2\n",
            "exec /bin/sh \"$@\"\n"
        ),
    ),
    (
        "shell",
        concat!(
            "#!/bin/sh\n",
            "for script in /.singularity.d/env/*.sh; do\n    if [ -f \"$script\" ]; then\n        . \"$script\"\n    fi\ndone\n",
            "\nif [ -n \"${APPTAINER_SHELL:-}\" ] && [ -x \"$APPTAINER_SHELL\" ]; then\n",
            "    exec \"$APPTAINER_SHELL\" \"$@\"\n",
            "elif [ -x /bin/bash ]; then\n",
            "    SHELL=/bin/bash\n",
            "    PS1=\"Apptainer> \"\n",
            "    export SHELL PS1\n",
            "    exec /bin/bash --norc \"$@\"\n",
            "elif [ -x /bin/sh ]; then\n",
            "    SHELL=/bin/sh\n",
            "    export SHELL\n",
            "    exec /bin/sh \"$@\"\n",
            "fi\n",
            "echo \"no shell in this image (/bin/sh is missing)\" >&2\n",
            "exit 1\n"
        ),
    ),
    (
        "start",
        concat!(
            "#!/bin/sh\n",
            "# An instance's init waits for this signal before it goes on.\n",
            "kill -CONT 1\n",
            "for script in /.singularity.d/env/*.sh; do\n    if [ -f \"$script\" ]; then\n        . \"$script\"\n    fi\ndone\n",
            "\nif [ -x /.singularity.d/startscript ]; then\n",
            "    exec /.singularity.d/startscript\n",
            "fi\n"
        ),
    ),
    (
        "test",
        concat!(
            "#!/bin/sh\n",
            "for script in /.singularity.d/env/*.sh; do\n    if [ -f \"$script\" ]; then\n        . \"$script\"\n    fi\ndone\n",
            "\nif [ -x /.singularity.d/test ]; then\n",
            "    exec /.singularity.d/test \"$@\"\n",
            "fi\n",
            "echo \"no test in this image; running /bin/sh -c true\" >&2\n",
            "exec /bin/sh -c true\n"
        ),
    ),
];

const BASE_ENV: &str =
    "#!/bin/sh\n# First environment script; nothing to set for an image converted from Docker.\n";

const CUSTOM_ENV: &str = "#!/bin/sh\n# Custom environment shell code should follow\n\n";

const APPS_BASE_ENV: &str =
    "#!/bin/sh\n# Environment of SCIF apps; an image converted from Docker has none.\n";

const APPS_ENV: &str = "#!/bin/sh\n\
# Select a SCIF app (`--app NAME`): its folders go first on PATH and LD_LIBRARY_PATH.\n\
if [ -n \"${APPTAINER_APPNAME:-}\" ]; then\n    \
    export APPTAINER_APPNAME\n    \
    app=\"/scif/apps/${APPTAINER_APPNAME}\"\n    \
    if [ ! -d \"$app\" ]; then\n        \
        echo \"no app ${APPTAINER_APPNAME} in this image\" >&2\n        \
        exit 1\n    \
    fi\n    \
    SCIF_APPS=/scif/apps\n    \
    SCIF_APPROOT=\"$app\"\n    \
    export SCIF_APPS SCIF_APPROOT\n    \
    PATH=\"$app:$PATH\"\n    \
    if [ -d \"$app/bin\" ]; then PATH=\"$app/bin:$PATH\"; fi\n    \
    if [ -d \"$app/lib\" ]; then\n        \
        LD_LIBRARY_PATH=\"$app/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}\"\n        \
        export LD_LIBRARY_PATH\n    \
    fi\n    \
    for script in \"$app/scif/env/01-base.sh\" \"$app/scif/env/90-environment.sh\"; do\n        \
        if [ -f \"$script\" ]; then . \"$script\"; fi\n    \
    done\n    \
    export PATH\n\
fi\n";

const FINAL_ENV: &str = "#!/bin/sh\n\
# Libraries Apptainer injects (e.g. GPU drivers with --nv) live in /.singularity.d/libs.\n\
if [ -z \"${LD_LIBRARY_PATH:-}\" ]; then\n    \
    LD_LIBRARY_PATH=/.singularity.d/libs\n\
else\n    \
    LD_LIBRARY_PATH=\"$LD_LIBRARY_PATH:/.singularity.d/libs\"\n\
fi\n\
PS1=\"Apptainer> \"\n\
export LD_LIBRARY_PATH PS1\n";

const RUNTIME_VARS_ENV: &str = "#!/bin/sh\n\
# PATH changes asked for on the command line (--env PREPEND_PATH=… and friends) are\n\
# passed in these variables and applied last, after the image's own PATH.\n\
if [ -n \"${SING_USER_DEFINED_PREPEND_PATH:-}\" ]; then\n    \
    PATH=\"${SING_USER_DEFINED_PREPEND_PATH}:${PATH}\"\n\
fi\n\
if [ -n \"${SING_USER_DEFINED_APPEND_PATH:-}\" ]; then\n    \
    PATH=\"${PATH}:${SING_USER_DEFINED_APPEND_PATH}\"\n\
fi\n\
if [ -n \"${SING_USER_DEFINED_PATH:-}\" ]; then\n    \
    PATH=\"${SING_USER_DEFINED_PATH}\"\n\
fi\n\
unset SING_USER_DEFINED_PREPEND_PATH SING_USER_DEFINED_APPEND_PATH SING_USER_DEFINED_PATH\n\
export PATH\n";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sif::squashfs::ExtraKind;

    fn sh(script: &str, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .arg("sh")
            .args(args)
            .env_clear()
            .envs(env.iter().copied())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn env_values_are_quoted_defaults_and_path_is_forced() {
        let script = docker_env_script(&[
            "PATH=/opt/x/bin:/usr/bin".into(),
            "GREETING=it's $HOME \"quoted\" `cmd`".into(),
            "EMPTY".into(),
            "KEEP=image".into(),
        ])
        .unwrap();
        let probe =
            format!("{script}\nprintf '%s|%s|%s|%s' \"$PATH\" \"$GREETING\" \"$EMPTY\" \"$KEEP\"");
        assert_eq!(
            sh(&probe, &[], &[("KEEP", "host"), ("PATH", "/host")]),
            "/opt/x/bin:/usr/bin|it's $HOME \"quoted\" `cmd`||host"
        );
        assert!(matches!(
            docker_env_script(&["1BAD=x".into()]),
            Err(MetaError::InvalidEnvName(_))
        ));
    }

    #[test]
    fn runscript_has_docker_semantics() {
        let ep = vec!["printf".to_string(), "[%s]".to_string()];
        let cmd = vec!["a b".to_string(), "it's".to_string()];
        let script = runscript(&ep, &cmd);
        assert_eq!(sh(&script, &[], &[]), "[a b][it's]");
        assert_eq!(sh(&script, &["x", "$y"], &[]), "[x][$y]");
        let cmd_only = runscript(&[], &["echo".into(), "default".into()]);
        assert_eq!(sh(&cmd_only, &[], &[]), "default\n");
        assert_eq!(sh(&cmd_only, &["echo", "given"], &[]), "given\n");
        let ep_only = runscript(&["echo".into()], &[]);
        assert_eq!(sh(&ep_only, &["x"], &[]), "x\n");
        assert_eq!(sh(&runscript(&[], &[]), &[], &[]), "");
    }

    #[test]
    fn labels_are_sorted_and_tab_indented() {
        let labels = BTreeMap::from([("b".to_string(), "2".to_string()), ("a".into(), "1".into())]);
        assert_eq!(
            labels_json(&labels),
            "{\n\t\"a\": \"1\",\n\t\"b\": \"2\"\n}"
        );
    }

    #[test]
    fn config_reads_docker_inspect_shape_with_nulls() {
        let config: ImageConfig = serde_json::from_str(
            r#"{"Env":["A=1"],"Labels":null,"Entrypoint":null,"Cmd":["sh"],"WorkingDir":""}"#,
        )
        .unwrap();
        assert_eq!(config.cmd, vec!["sh"]);
        assert!(config.labels.is_empty());
        let tree = metadata_tree(&config).unwrap();
        assert!(tree.iter().any(|e| e.path == "singularity"
            && e.kind == ExtraKind::Symlink("/.singularity.d/runscript".into())));
    }
}
