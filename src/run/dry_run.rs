//! `--dry-run`: the `docker` commands equivalent to what envc would ask the engine for, so a
//! user can audit (or replay) exactly what `up` and `run` do.
//!
//! Printed so that a shell and the docker CLI read back exactly what envc means: every word
//! is shell-quoted (`crate::escape::shell`), and the comma-separated values of `--mount`
//! and `--gpus` are CSV-quoted first (`crate::escape::csv`), so a mount source holding
//! `,source=/` stays one field of one mount instead of naming the host's root.

use crate::escape::{Unrepresentable, csv, shell};

use super::env_plan::{EnvPlan, GpuPlan, MountKind, MountPlan, PortPlan};
use super::user_script;

fn line(words: &[String]) -> String {
    shell::join(words)
}

/// The value of `--mount` for `m`, one CSV field per option.
pub fn mount_value(m: &MountPlan) -> Result<String, Unrepresentable> {
    let mut fields = match m.kind {
        MountKind::Bind => vec![
            "type=bind".to_owned(),
            format!("source={}", m.source),
            format!("target={}", m.target),
        ],
        MountKind::Volume => vec![
            "type=volume".to_owned(),
            format!("source={}", m.source),
            format!("target={}", m.target),
        ],
        MountKind::Tmpfs => vec!["type=tmpfs".to_owned(), format!("target={}", m.target)],
    };
    if let Some(size) = m.size {
        fields.push(format!("tmpfs-size={size}"));
    }
    if m.readonly {
        fields.push("readonly".to_owned());
    }
    csv::record("the mount", &fields)
}

fn mount_flags(out: &mut Vec<String>, mounts: &[MountPlan]) -> Result<(), Unrepresentable> {
    for m in mounts {
        out.extend(["--mount".into(), mount_value(m)?]);
    }
    Ok(())
}

fn port_flags(out: &mut Vec<String>, ports: &[PortPlan]) {
    for p in ports {
        out.extend([
            "--publish".into(),
            format!("{}:{}:{}/{}", p.address, p.host, p.container, p.protocol),
        ]);
    }
}

fn run_flags(
    out: &mut Vec<String>,
    plan: &EnvPlan,
    env: Vec<String>,
) -> Result<(), Unrepresentable> {
    out.extend(["--init".into(), "--user".into(), "0:0".into()]);
    for (k, v) in &plan.labels {
        out.extend(["--label".into(), format!("{k}={v}")]);
    }
    mount_flags(out, &plan.mounts)?;
    for e in env {
        out.extend(["--env".into(), e]);
    }
    if let Some(n) = &plan.network {
        out.extend(["--network".into(), n.name.clone()]);
    }
    port_flags(out, &plan.ports);
    for d in &plan.devices {
        out.extend(["--device".into(), d.clone()]);
    }
    for c in &plan.cap_add {
        out.extend(["--cap-add".into(), c.clone()]);
    }
    for c in &plan.cap_drop {
        out.extend(["--cap-drop".into(), c.clone()]);
    }
    if let Some(ipc) = &plan.ipc {
        out.extend(["--ipc".into(), ipc.clone()]);
    }
    if let Some(shm) = plan.shm_size {
        out.extend(["--shm-size".into(), shm.to_string()]);
    }
    for (name, soft, hard) in &plan.ulimits {
        out.extend(["--ulimit".into(), format!("{name}={soft}:{hard}")]);
    }
    match &plan.gpu {
        GpuPlan::None => {}
        GpuPlan::All | GpuPlan::Auto => out.extend(["--gpus".into(), "all".into()]),
        GpuPlan::Count(n) => out.extend(["--gpus".into(), n.to_string()]),
        GpuPlan::Devices(ids) => out.extend([
            "--gpus".into(),
            csv::field("the GPU devices", &format!("device={}", ids.join(",")))?,
        ]),
    }
    if let Some(w) = &plan.project_target {
        out.extend(["--workdir".into(), w.clone()]);
    }
    Ok(())
}

/// The commands `envc up` runs.
pub fn up(plan: &EnvPlan) -> Result<String, Unrepresentable> {
    let mut text = String::new();
    for dir in &plan.host_dirs {
        text.push_str(&line(&[
            "mkdir".into(),
            "-p".into(),
            dir.display().to_string(),
        ]));
        text.push('\n');
    }
    if let Some(n) = plan.network.as_ref().filter(|n| n.create) {
        text.push_str(&line(&[
            "docker".into(),
            "network".into(),
            "create".into(),
            n.name.clone(),
        ]));
        text.push('\n');
    }
    for s in &plan.services {
        let mut w: Vec<String> = ["docker", "run", "--detach", "--init", "--name"]
            .map(String::from)
            .to_vec();
        w.push(s.container.clone());
        if let Some(n) = &plan.network {
            w.extend(["--network".into(), n.name.clone()]);
            w.extend(["--network-alias".into(), s.name.clone()]);
        }
        for (k, v) in &s.env {
            w.extend(["--env".into(), format!("{k}={v}")]);
        }
        mount_flags(&mut w, &s.mounts)?;
        port_flags(&mut w, &s.ports);
        w.push(s.image.clone());
        w.extend(s.cmd.clone().unwrap_or_default());
        text.push_str(&line(&w));
        text.push('\n');
        if let Some(h) = &s.healthcheck {
            let mut w: Vec<String> = vec!["docker".into(), "exec".into(), s.container.clone()];
            w.extend(h.test.clone());
            text.push_str(&format!("# until this succeeds:\n{}\n", line(&w)));
        }
    }
    let mut w: Vec<String> = ["docker", "run", "--detach", "--name"]
        .map(String::from)
        .to_vec();
    w.push(plan.container.clone());
    run_flags(&mut w, plan, plan.container_env_list())?;
    w.extend([
        "--entrypoint".into(),
        "/bin/sh".into(),
        plan.image.clone(),
        "-c".into(),
        user_script::KEEPALIVE.into(),
    ]);
    text.push_str(&line(&w));
    text.push('\n');
    let exec_root = |script: &str| {
        line(&[
            "docker".into(),
            "exec".into(),
            "--user".into(),
            "0:0".into(),
            plan.container.clone(),
            "/bin/sh".into(),
            "-c".into(),
            script.into(),
        ])
    };
    text.push_str(&exec_root(&user_script::setup(plan)));
    text.push('\n');
    for cmd in &plan.post_start {
        text.push_str(&exec_root(cmd));
        text.push('\n');
    }
    Ok(text)
}

/// The command `envc run` runs: an exec into the running environment, or a one-shot container.
pub fn run(
    plan: &EnvPlan,
    running: bool,
    command: &[String],
    workdir: Option<&str>,
    tty: bool,
) -> Result<String, Unrepresentable> {
    let mut w: Vec<String> = vec!["docker".into()];
    if running {
        w.extend(["exec".into(), "--interactive".into()]);
        if tty {
            w.push("--tty".into());
        }
        if let Some(user) = &plan.user {
            w.extend(["--user".into(), format!("{}:{}", user.uid, user.gid)]);
        }
        if let Some(dir) = workdir {
            w.extend(["--workdir".into(), dir.into()]);
        }
        for e in plan.env_list() {
            w.extend(["--env".into(), e]);
        }
        w.extend([
            "--env".into(),
            "ENVC_EXEC=dry-run".into(),
            plan.container.clone(),
            "/bin/sh".into(),
            "-c".into(),
            user_script::EXEC_WRAPPER.into(),
            "envc".into(),
        ]);
    } else {
        w.extend(["run".into(), "--rm".into(), "--interactive".into()]);
        if tty {
            w.push("--tty".into());
        }
        run_flags(&mut w, plan, plan.env_list())?;
        if let Some(dir) = workdir {
            w.extend(["--workdir".into(), dir.into()]);
        }
        w.extend([
            "--entrypoint".into(),
            "/bin/sh".into(),
            plan.image.clone(),
            "-c".into(),
            user_script::oneshot(plan),
            "envc".into(),
        ]);
    }
    w.extend(command.iter().cloned());
    Ok(format!("{}\n", line(&w)))
}
