//! The `devcontainer.json` emitter, so that editors speaking the Dev Containers spec open
//! the same environment: the image by its envc tag, the project mounted where envc mounts
//! it, and the run settings translated to the spec's properties and `runArgs`.
//!
//! Host placeholders become the Dev Containers variables that mean the same thing
//! (`{project}` → `${localWorkspaceFolder}`, `{env:NAME}` → `${localEnv:NAME}`, `{home}` and
//! `{user}` → `${localEnv:HOME}` and `${localEnv:USER}`, `{project_slug}` →
//! `${localWorkspaceFolderBasename}`, `{variant}` → the variant). `{uid}` and `{gid}` have no
//! counterpart; `updateRemoteUserUID` does that job for `host` user mapping. envc's
//! post-start commands run as root, which `postStartCommand` cannot do, so they are listed
//! under `customizations.envc` for a person to act on.

use serde_json::{Map, Value, json};

use crate::content::canonical;
use crate::plan::{Plan, RunManifest};
use crate::spec::Spec;
use crate::spec::model::{Gpu, Protocol, UserMode};
use crate::spec::placeholder;

/// The proxy variables `run.proxy` forwards as `remoteEnv` (`${localEnv:NAME}`): the ones
/// Dev Containers tools and their users set; `envc init` reads them back as `run.proxy`.
pub const REMOTE_PROXY: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
];

/// The `devcontainer.json` of `plan`.
pub fn devcontainer(spec: &Spec, plan: &Plan, manifest: &RunManifest) -> Vec<u8> {
    let run = &spec.run;
    let variant = plan.variant.as_deref().unwrap_or("");
    let fill = |s: &str| translate(s, variant);
    let mut doc = Map::new();
    doc.insert(
        "name".into(),
        json!(match &plan.variant {
            Some(v) => format!("{} ({v})", plan.name),
            None => plan.name.clone(),
        }),
    );
    let image = manifest
        .images
        .docker
        .as_ref()
        .map(|d| d.tag.clone())
        .unwrap_or_else(|| crate::plan::manifest::image_tag(&plan.image_name(), &plan.key()));
    doc.insert("image".into(), json!(image));

    if run.project.enable {
        let target = fill(run.project.target.as_str());
        let ro = if run.project.readonly {
            ",readonly"
        } else {
            ""
        };
        doc.insert(
            "workspaceMount".into(),
            json!(format!(
                "source=${{localWorkspaceFolder}},target={target},type=bind{ro}"
            )),
        );
        doc.insert("workspaceFolder".into(), json!(target));
    }

    let mut mounts = Vec::new();
    for m in &run.mounts {
        let ro = if m.readonly { ",readonly" } else { "" };
        mounts.push(format!(
            "source={},target={},type=bind{ro}",
            fill(m.source.as_str()),
            fill(m.target.as_str())
        ));
    }
    for c in &run.caches {
        mounts.push(format!(
            "source={},target={},type=bind",
            fill(c.host.as_str()),
            fill(c.target.as_str())
        ));
    }
    for v in &run.volumes {
        let ro = if v.readonly { ",readonly" } else { "" };
        mounts.push(format!(
            "source={},target={},type=volume{ro}",
            fill(v.name.as_str()),
            fill(v.target.as_str())
        ));
    }
    for t in &run.tmpfs {
        mounts.push(format!("target={},type=tmpfs", fill(t.target.as_str())));
    }
    if run.docker_socket {
        mounts.push("source=/var/run/docker.sock,target=/var/run/docker.sock,type=bind".into());
    }
    if !mounts.is_empty() {
        doc.insert("mounts".into(), json!(mounts));
    }

    let env: Map<String, Value> = run
        .env
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), json!(fill(v.as_str()))))
        .collect();
    if !env.is_empty() {
        doc.insert("containerEnv".into(), Value::Object(env));
    }
    let mut remote_env = Map::new();
    let mut passed: Vec<String> = run.pass_env.iter().map(|n| n.as_str().to_owned()).collect();
    if run.proxy {
        for name in REMOTE_PROXY {
            passed.push((*name).into());
        }
    }
    if run.x11 {
        passed.push("DISPLAY".into());
    }
    for name in passed {
        remote_env.insert(name.clone(), json!(format!("${{localEnv:{name}}}")));
    }
    if !remote_env.is_empty() {
        doc.insert("remoteEnv".into(), Value::Object(remote_env));
    }

    match run.user.mode {
        UserMode::Host => {
            doc.insert("updateRemoteUserUID".into(), json!(true));
        }
        UserMode::Root => {
            doc.insert("containerUser".into(), json!("root"));
            doc.insert("remoteUser".into(), json!("root"));
        }
        UserMode::Fixed => {
            let user = match (run.user.uid, run.user.gid) {
                (Some(uid), Some(gid)) => format!("{uid}:{gid}"),
                (Some(uid), None) => format!("{uid}:{uid}"),
                _ => "envc".into(),
            };
            doc.insert("containerUser".into(), json!(user));
        }
    }

    let mut args: Vec<String> = Vec::new();
    if let Some(name) = &run.network.name {
        args.push(format!("--network={}", fill(name.as_str())));
    }
    for p in &run.ports {
        let proto = match p.protocol {
            Protocol::Tcp => "",
            Protocol::Udp => "/udp",
        };
        args.push(format!(
            "--publish={}:{}:{}{proto}",
            p.address,
            p.host.unwrap_or(p.container),
            p.container
        ));
    }
    match &run.gpu {
        Gpu::None | Gpu::Auto => {}
        Gpu::All => args.push("--gpus=all".into()),
        Gpu::Count(n) => args.push(format!("--gpus={n}")),
        Gpu::Devices(ids) => args.push(format!("--gpus=\"device={}\"", ids.join(","))),
    }
    for d in &run.devices {
        args.push(format!("--device={}", fill(d.as_str())));
    }
    for c in &run.cap_add {
        args.push(format!("--cap-add={c}"));
    }
    for c in &run.cap_drop {
        args.push(format!("--cap-drop={c}"));
    }
    if let Some(ipc) = run.ipc {
        let value = serde_json::to_value(ipc).ok();
        if let Some(ipc) = value.as_ref().and_then(Value::as_str) {
            args.push(format!("--ipc={ipc}"));
        }
    }
    if let Some(shm) = &run.shm_size {
        args.push(format!("--shm-size={shm}"));
    }
    for (name, limit) in &run.ulimits {
        args.push(format!("--ulimit={name}={}:{}", limit.soft, limit.hard));
    }
    if run.x11 {
        args.push("--volume=/tmp/.X11-unix:/tmp/.X11-unix".into());
    }
    args.push("--init".into());
    doc.insert("runArgs".into(), json!(args));

    let mut envc = Map::new();
    envc.insert("planKey".into(), json!(plan.key().hex()));
    if !run.post_start.is_empty() {
        let cmds: Vec<String> = run.post_start.iter().map(|c| fill(c.as_str())).collect();
        envc.insert("postStartAsRoot".into(), json!(cmds));
    }
    if matches!(run.gpu, Gpu::Auto) {
        envc.insert(
            "gpu".into(),
            json!("auto: add `--gpus=all` on hosts with an NVIDIA runtime"),
        );
    }
    if !spec.services.is_empty() {
        let names: Vec<&str> = spec.services.keys().map(|n| n.as_str()).collect();
        envc.insert(
            "services".into(),
            json!(format!("started by `envc up`: {}", names.join(", "))),
        );
    }
    doc.insert("customizations".into(), json!({ "envc": envc }));
    canonical::to_pretty(&Value::Object(doc))
}

/// A run-side string with envc placeholders turned into Dev Containers variables.
fn translate(text: &str, variant: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for occurrence in placeholder::scan(text) {
        out.push_str(&text[at..occurrence.range.start]);
        let name = occurrence.name.as_str();
        match name {
            "project" => out.push_str("${localWorkspaceFolder}"),
            "project_slug" => out.push_str("${localWorkspaceFolderBasename}"),
            "home" => out.push_str("${localEnv:HOME}"),
            "user" => out.push_str("${localEnv:USER}"),
            "variant" => out.push_str(variant),
            _ => match name.strip_prefix("env:") {
                Some(var) => out.push_str(&format!("${{localEnv:{var}}}")),
                None => out.push_str(&text[occurrence.range.clone()]),
            },
        }
        at = occurrence.range.end;
    }
    out.push_str(&text[at..]);
    out.replace("{{", "{").replace("}}", "}")
}
