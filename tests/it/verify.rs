//! `envc verify` against the real engine: tampered images and SIFs are caught with the
//! paths or object affected, input changes make old images stale (irrelevant changes do
//! not), and a rebuild of a simple environment gives the same files.

use std::path::Path;
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use crate::support::docker::{cli as docker, unique_name as unique};
use crate::support::{Run, busybox, docker as engine, envc};

/// A busybox-based project in a temporary folder, with its own envc cache folder (SIFs).
struct Project {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

fn busybox_base() -> Option<String> {
    let rt = engine::runtime();
    let engine = engine::engine(&rt)?;
    Some(busybox::image(&rt, &engine))
}

fn config(base: &str, name: &str) -> Value {
    // The name goes into the first step so that each test owns its whole step chain: names
    // do not enter keys, and the rebuild and tamper tests move and replace step tags.
    json!({
        "name": name,
        "base": { "image": base },
        "build": {
            "files": {
                "/opt/a.txt": { "text": format!("hello from {name}\n") },
                "/opt/src.txt": { "source": "src.txt" },
            },
            "steps": [{ "name": "one", "run": "echo one > /one" }],
            "env": { "X": "1" },
        }
    })
}

impl Project {
    fn new(config: &Value) -> Project {
        let project = Project {
            dir: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
        };
        project.config(config);
        project.write("src.txt", "aaaa\n");
        project
    }

    fn config(&self, config: &Value) {
        self.write("envc.json", &serde_json::to_string_pretty(config).unwrap());
    }

    fn write(&self, rel: &str, contents: &str) {
        std::fs::write(self.dir.path().join(rel), contents).unwrap();
    }

    fn envc(&self, args: &[&str]) -> Run {
        envc()
            .args(args)
            .current_dir(self.dir.path())
            .env("XDG_CACHE_HOME", self.cache.path())
            .run()
    }

    /// Build and return the finished image's reference and full key.
    fn build(&self) -> (String, String) {
        let out = self.envc(&["build", "-q"]).ok();
        let mut lines = out.lines();
        let reference = lines.next().unwrap().to_owned();
        let key = lines.next().unwrap().to_owned();
        (reference, key)
    }
}

#[test]
fn an_image_changed_under_its_tag_fails_verify_with_the_paths() {
    let Some(base) = busybox_base() else { return };
    let project = Project::new(&config(&base, &unique("verify-tamper")));
    let (reference, key) = project.build();
    let clean = project.envc(&["verify"]);
    assert_eq!(clean.code(), 0, "{}", clean.stdout());
    let rt = engine::runtime();
    let engine = engine::engine(&rt).unwrap();
    let key: envc::plan::Key = key.parse().unwrap();
    rt.block_on(envc::verify::quick_check(&engine, &reference, &key))
        .expect("the untouched image passes the check `up` makes");

    // Change files and commit the result under the very same tag (labels are kept).
    let container = docker(&[
        "create",
        &reference,
        "sh",
        "-c",
        "echo evil > /one; rm /opt/a.txt; echo x > /new",
    ]);
    let container = container.trim();
    docker(&["start", "-a", container]);
    docker(&["commit", container, &reference]);
    docker(&["rm", container]);

    let run = project.envc(&["verify"]);
    let out = run.stdout();
    assert_eq!(run.code(), 1, "{out}");
    assert!(out.contains("FAIL  content integrity (docker)"), "{out}");
    assert!(out.contains("/one: content differs"), "{out}");
    assert!(
        out.contains("/opt/a.txt: only in the recorded image"),
        "{out}"
    );
    assert!(out.contains("/new: only in the tagged image"), "{out}");

    let json: Value = serde_json::from_str(&project.envc(&["verify", "--json"]).stdout()).unwrap();
    assert_eq!(json["passed"], false);

    // What `envc up` calls before starting an image refuses it.
    let refused = rt.block_on(envc::verify::quick_check(&engine, &reference, &key));
    assert!(
        matches!(refused, Err(envc::verify::QuickCheckError::Changed { .. })),
        "{refused:?}"
    );
    let other = envc::plan::Key([7; 32]);
    let refused = rt.block_on(envc::verify::quick_check(&engine, &reference, &other));
    assert!(
        matches!(refused, Err(envc::verify::QuickCheckError::WrongKey { .. })),
        "{refused:?}"
    );
}

/// `envc up` and `envc run` refuse an image whose files changed under its tags (the finished
/// tag and the cache entry both), and start again once it is rebuilt.
#[test]
fn up_and_run_refuse_an_image_changed_under_its_tags() {
    let Some(base) = busybox_base() else { return };
    let project = Project::new(&config(&base, &unique("verify-refuse")));
    let (reference, key) = project.build();
    let step = format!("envc/step:{key}");
    let container = docker(&["create", &reference, "sh", "-c", "echo evil > /one"]);
    let container = container.trim();
    docker(&["start", "-a", container]);
    docker(&["commit", container, &reference]);
    docker(&["tag", &reference, &step]);
    docker(&["rm", container]);

    for args in [&["up"][..], &["run", "--", "true"][..]] {
        let run = project.envc(args);
        let err = run.stderr();
        assert_ne!(run.code(), 0, "envc {args:?} used a tampered image: {err}");
        assert!(err.contains("was changed after it was built"), "{err}");
        assert!(err.contains("envc build --no-cache"), "{err}");
    }
    let started = docker(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=dev.envc.project={}", project.dir.path().display()),
    ]);
    assert_eq!(
        started.trim(),
        "",
        "nothing was started from the tampered image"
    );

    project.envc(&["build", "-q", "--no-cache"]).ok();
    assert_eq!(project.envc(&["run", "--", "cat", "/one"]).ok(), "one\n");
}

/// Each change of an image input makes the old image stale, naming the changed step.
#[test]
fn input_changes_make_old_images_stale_with_the_changed_step() {
    let Some(base) = busybox_base() else { return };
    type Mutation = fn(&mut Value, &Project);
    let mutations: [(&str, Mutation, &str); 5] = [
        (
            "env",
            |c, _| c["build"]["env"]["X"] = json!("2"),
            "image config",
        ),
        (
            "step command",
            |c, _| c["build"]["steps"][0]["run"] = json!("echo two > /one"),
            "run one",
        ),
        (
            "file text",
            |c, _| c["build"]["files"]["/opt/a.txt"]["text"] = json!("hellO\n"),
            "file /opt/a.txt",
        ),
        (
            "source content, same size and mtime",
            |_, p| {
                let path = p.dir.path().join("src.txt");
                let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
                std::fs::write(&path, "bbbb\n").unwrap();
                std::fs::File::options()
                    .write(true)
                    .open(&path)
                    .unwrap()
                    .set_modified(mtime)
                    .unwrap();
            },
            "file /opt/src.txt",
        ),
        (
            "platform",
            |c, _| c["platform"] = json!("linux/arm64"),
            "(base)",
        ),
    ];
    for (what, mutate, step) in mutations {
        let mut cfg = config(&base, &unique("verify-stale"));
        let project = Project::new(&cfg);
        let (old, _) = project.build();
        mutate(&mut cfg, &project);
        project.config(&cfg);
        let run = project.envc(&["verify"]);
        let out = run.stdout();
        assert_eq!(run.code(), 1, "{what}: the new image is not built: {out}");
        let stale = out
            .lines()
            .find(|l| l.contains(&format!("stale: `{old}`")))
            .unwrap_or_else(|| panic!("{what}: `{old}` not reported stale: {out}"));
        assert!(
            stale.contains(step),
            "{what}: expected step `{step}`: {stale}"
        );
    }
}

#[test]
fn irrelevant_changes_leave_nothing_stale() {
    let Some(base) = busybox_base() else { return };
    let name = unique("verify-fresh");
    let project = Project::new(&config(&base, &name));
    project.build();

    // mtime only.
    let src = project.dir.path().join("src.txt");
    std::fs::File::options()
        .write(true)
        .open(&src)
        .unwrap()
        .set_modified(SystemTime::now() + Duration::from_secs(3600))
        .unwrap();
    // A run-side field.
    let mut cfg = config(&base, &name);
    cfg["run"] = json!({ "env": { "RUNTIME_ONLY": "yes" } });
    project.config(&cfg);
    let run = project.envc(&["verify"]);
    let out = run.stdout();
    assert_eq!(run.code(), 0, "{out}");
    assert!(!out.contains("stale"), "{out}");

    // The same project at another path.
    let moved = tempfile::tempdir().unwrap();
    copy_dir(project.dir.path(), moved.path());
    let run = envc()
        .arg("verify")
        .current_dir(moved.path())
        .env("XDG_CACHE_HOME", project.cache.path())
        .run();
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert!(!run.stdout().contains("stale"), "{}", run.stdout());
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn a_rebuild_of_a_simple_environment_gives_the_same_files() {
    let Some(base) = busybox_base() else { return };
    let project = Project::new(&config(&base, &unique("verify-rebuild")));
    let (reference, key) = project.build();
    let id = docker(&["image", "inspect", "-f", "{{.Id}}", &reference]);
    let run = project.envc(&["verify", "--rebuild"]);
    let out = run.stdout();
    assert_eq!(run.code(), 0, "{out}");
    assert!(out.contains("pass  rebuild"), "{out}");
    assert!(out.contains("isolated namespace"), "{out}");
    // The cache is as it was: the tag still names the original image.
    assert_eq!(
        docker(&["image", "inspect", "-f", "{{.Id}}", &reference]),
        id
    );
    // And the rebuild's namespace is gone: only envc's own tags carry this key.
    let tagged = docker(&[
        "images",
        "--filter",
        &format!("label=dev.envc.key={key}"),
        "--format",
        "{{.Repository}}",
    ]);
    for repository in tagged.lines() {
        assert!(
            repository.starts_with("envc/"),
            "a rebuild image is left: {repository}"
        );
    }
}

/// A SIF assembled from the built image's export: cross-target passes; flipping bytes in
/// its partition makes verify fail naming the object.
#[test]
fn a_sif_matches_the_docker_image_and_a_corrupted_one_is_caught() {
    let Some(base) = busybox_base() else { return };
    let project = Project::new(&config(&base, &unique("verify-sif")));
    let (reference, key) = project.build();
    let work = tempfile::tempdir().unwrap();
    let tar = work.path().join("rootfs.tar");
    let container = docker(&["create", &reference, "/x"]);
    docker(&["export", "-o", tar.to_str().unwrap(), container.trim()]);
    docker(&["rm", container.trim()]);
    let sif_dir = project.cache.path().join("envc/sif");
    std::fs::create_dir_all(&sif_dir).unwrap();
    let sif = sif_dir.join(format!("{key}.sif"));
    let config = envc::sif::apptainer_meta::ImageConfig::default();
    let assembled = envc::sif::assemble::assemble_from_file(
        &tar,
        &envc::sif::assemble::AssembleInput {
            def_text: "Bootstrap: scratch\n",
            config: &config,
            plan_key: &key,
            manifest: json!({}),
            arch: "amd64",
            time: 0,
        },
        &sif,
    )
    .unwrap();

    let run = project.envc(&["verify"]);
    let out = run.stdout();
    assert_eq!(run.code(), 0, "{out}");
    assert!(out.contains("pass  content integrity (sif)"), "{out}");
    assert!(out.contains("pass  cross-target (docker = sif)"), "{out}");

    // Flip bytes in the middle of the squashfs partition.
    let mut bytes = std::fs::read(&sif).unwrap();
    let middle = (bytes.len() as u64 - assembled.squashfs_bytes / 2) as usize;
    for b in &mut bytes[middle - 64..middle + 64] {
        *b ^= 0xff;
    }
    std::fs::write(&sif, bytes).unwrap();
    let run = project.envc(&["verify"]);
    let out = run.stdout();
    assert_eq!(run.code(), 1, "{out}");
    assert!(out.contains("FAIL  content integrity (sif)"), "{out}");
    assert!(out.contains("(primary system partition)"), "{out}");
}

/// A config whose first step writes random bytes (a build stamp, as `git lfs install` or a
/// generated id does), marked or not as not reproducible.
fn stamped(base: &str, name: &str, reproducible: bool) -> Value {
    json!({
        "name": name,
        "base": { "image": base },
        "build": {
            "files": { "/opt/a.txt": { "text": format!("hello from {name}\n") } },
            "steps": [
                {
                    "name": "stamp",
                    "run": "cat /proc/sys/kernel/random/uuid > /etc/build-stamp",
                    "reproducible": reproducible,
                },
                { "name": "one", "run": "echo one > /one" },
            ],
        }
    })
}

#[test]
fn a_rebuild_names_the_step_that_wrote_a_differing_file() {
    let Some(base) = busybox_base() else { return };
    let project = Project::new(&stamped(&base, &unique("verify-stamp"), true));
    project.build();
    let run = project.envc(&["verify", "--rebuild"]);
    let out = run.stdout();
    assert_eq!(run.code(), 1, "{out}");
    assert!(
        out.contains("FAIL  rebuild") || out.contains("fail  rebuild"),
        "{out}"
    );
    assert!(
        out.contains("/etc/build-stamp: content differs (written by step 2 `run stamp`)"),
        "{out}"
    );
    // The later step's file is the same in both: it is not reported.
    assert!(!out.contains("/one"), "{out}");
}

#[test]
fn a_step_marked_not_reproducible_is_a_known_exclusion() {
    let Some(base) = busybox_base() else { return };
    let project = Project::new(&stamped(&base, &unique("verify-excluded"), false));
    project.build();
    let run = project.envc(&["verify", "--rebuild"]);
    let out = run.stdout();
    assert_eq!(run.code(), 0, "{out}");
    assert!(out.contains("pass  rebuild"), "{out}");
    assert!(out.contains("known exclusions"), "{out}");
    assert!(
        out.contains("/etc/build-stamp: content differs (written by step 2 `run stamp`)"),
        "{out}"
    );
    // audit lists the step.
    let audit = project.envc(&["audit"]).stdout();
    assert!(
        audit.contains("step `stamp` is marked `reproducible = false`"),
        "{audit}"
    );
}
