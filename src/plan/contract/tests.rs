use std::collections::BTreeMap;

use super::*;
use crate::plan::Key;
use crate::plan::step::{AptStep, CacheMount, FileContent, FileStep, PipStep, RunStep};

fn with_ca() -> Runner {
    Runner {
        ca_bundle: true,
        caches: true,
        apt_as_root: false,
    }
}

#[test]
fn run_steps_export_env_in_the_script_not_the_container() {
    let step = RunStep {
        name: None,
        script: "make".into(),
        shell: vec!["/bin/sh".into(), "-c".into()],
        env: BTreeMap::from([("CC".into(), "gcc -O2".into())]),
        workdir: Some("/src".into()),
        network: true,
        caches: vec![CacheMount {
            id: "ccache".into(),
            target: "/root/.ccache".into(),
        }],
        reproducible: true,
    };
    let command = run(&step, &Key([0; 32]), &with_ca());
    let script = command.argv.last().unwrap();
    assert!(script.contains("export CC='gcc -O2'\n"));
    assert!(script.contains(&format!("export SSL_CERT_FILE={CA_PATH}\n")));
    assert!(script.ends_with("mkdir -p /src && cd /src\nmake"));
    assert_eq!(command.display, "make");
    assert_eq!(command.caches[0].target, "/root/.ccache");
    assert_eq!(command.caches[0].sharing, Sharing::Shared);
    assert!(command.ca_bundle && command.proxies);
}

#[test]
fn offline_steps_get_no_network_material() {
    let step = RunStep {
        name: None,
        script: "true".into(),
        shell: vec!["/bin/sh".into(), "-c".into()],
        env: BTreeMap::new(),
        workdir: None,
        network: false,
        caches: vec![],
        reproducible: true,
    };
    let command = run(&step, &Key([0; 32]), &with_ca());
    // Only the reproducibility normalisation, no CA bundle or proxy variables.
    let script = format!("export SOURCE_DATE_EPOCH={SOURCE_DATE_EPOCH}\ntrue");
    assert_eq!(command.argv, vec!["/bin/sh", "-c", script.as_str()]);
    assert!(!command.network && !command.ca_bundle && !command.proxies);
}

fn pip_step() -> PipStep {
    PipStep {
        python: "/usr/bin/python3".into(),
        requirements: vec!["six==1.16.0 --hash=sha256:ab".into()],
        require_hashes: true,
        index_url: None,
        extra_index_urls: vec![],
        break_system_packages: true,
    }
}

#[test]
fn pip_uses_a_cache_volume_and_hashes() {
    let runner = Runner {
        ca_bundle: false,
        ..with_ca()
    };
    let command = pip(&pip_step(), &Key([0; 32]), &runner);
    let script = command.argv.last().unwrap();
    assert!(script.contains("--require-hashes --no-deps"));
    assert!(script.contains("export PIP_BREAK_SYSTEM_PACKAGES=1"));
    assert!(script.contains("'six==1.16.0 --hash=sha256:ab'"));
    assert_eq!(command.caches[0].target, PIP_CACHE);
    assert!(!script.contains("--no-cache-dir"));
}

/// Regression: the Dockerfile and the `.def` said `--break-system-packages`, the executor
/// the variable; the flag fails on pips older than 23.0.1. One spelling, every runner.
#[test]
fn pip_is_spelled_once_for_every_runner() {
    for runner in [with_ca(), Runner::APPTAINER] {
        let script = pip(&pip_step(), &Key([0; 32]), &runner).argv[2].clone();
        assert!(script.contains("export PIP_BREAK_SYSTEM_PACKAGES=1\n"));
        assert!(!script.contains("--break-system-packages"));
        assert!(script.contains("export PIP_DISABLE_PIP_VERSION_CHECK=1\n"));
    }
    let without_caches = pip(&pip_step(), &Key([0; 32]), &Runner::APPTAINER);
    assert!(without_caches.caches.is_empty());
    assert!(without_caches.argv[2].contains("-m pip install --no-cache-dir "));
    assert!(!without_caches.argv[2].contains("PIP_CACHE_DIR"));
}

#[test]
fn apt_archives_are_one_step_at_a_time() {
    let step = AptStep {
        packages: vec!["curl=7.88.1-10".into(), "git".into()],
        pinned: false,
    };
    let docker = apt(&step, &Key([1; 32]), &with_ca());
    assert_eq!(docker.caches.len(), 1);
    assert_eq!(docker.caches[0].sharing, Sharing::Locked);
    assert_eq!(docker.caches[0].target, "/var/cache/apt/archives");
    assert_eq!(
        docker.caches[0].name,
        cache_volume(&Key([1; 32]), "apt-archives")
    );
    assert!(
        docker.argv[2]
            .contains("apt-get -o Acquire::https::CAInfo=/dev/envc/ca-certificates.crt update")
    );
    assert!(docker.argv[2].contains("Keep-Downloaded-Packages=true"));
    assert!(docker.display.ends_with(
        "install -y --no-install-recommends curl=7.88.1-10 git && rm -rf /var/lib/apt/lists/*"
    ));

    let apptainer = apt(&step, &Key([1; 32]), &Runner::APPTAINER);
    assert!(apptainer.caches.is_empty());
    assert!(apptainer.argv[2].contains("apt-get -o APT::Sandbox::User=root update"));
    assert!(
        !apptainer.argv[2].contains("CAInfo") && !apptainer.argv[2].contains("Keep-Downloaded")
    );
}

#[test]
fn scripts_lose_trailing_newlines_unless_they_continue_a_line() {
    let step = |script: &str| RunStep {
        name: None,
        script: script.into(),
        shell: vec!["/bin/sh".into(), "-c".into()],
        env: BTreeMap::new(),
        workdir: None,
        network: false,
        caches: vec![],
        reproducible: true,
    };
    let script = |s: &str| run(&step(s), &Key([0; 32]), &with_ca()).argv[2].clone();
    assert!(script("make\n\n").ends_with("\nmake"));
    assert!(script("echo a \\\n").ends_with("\necho a \\\n"));
}

#[test]
fn env_names_that_are_not_identifiers_cannot_become_commands() {
    let step = RunStep {
        name: None,
        script: "true".into(),
        shell: vec!["/bin/sh".into(), "-c".into()],
        env: BTreeMap::from([("X=1; touch /pwned; Y".into(), "v".into())]),
        workdir: None,
        network: false,
        caches: vec![],
        reproducible: true,
    };
    let script = run(&step, &Key([0; 32]), &with_ca()).argv[2].clone();
    assert!(
        script.contains("export 'X=1; touch /pwned; Y=v'\n"),
        "{script}"
    );
}

#[test]
fn inline_files_are_written_by_one_line() {
    let file = FileStep {
        target: "/etc/motd".into(),
        source: FileContent::Text("hi 'you'\n100% \\\n".into()),
        mode: Some(0o600),
        owner: "root:root".into(),
    };
    let command = text_file(&file).unwrap().to_shell();
    assert_eq!(
        command,
        r"mkdir -p /etc && printf 'hi '\''you'\''\n100%% \\\n' > /etc/motd && chown root:root /etc/motd && chmod 0600 /etc/motd"
    );
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("motd");
    let local = command
        .replace("/etc/motd", &target.display().to_string())
        .replace("mkdir -p /etc", "true")
        .replace("chown root:root", "true");
    let status = std::process::Command::new("sh")
        .args(["-c", &local])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "hi 'you'\n100% \\\n"
    );
}
