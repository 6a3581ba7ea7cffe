//! Real jobs: their output, exit codes, records, the shared pull and the digest check.

use super::{Cluster, show, states};

#[test]
fn a_plain_job_runs_in_the_sif_with_its_header_and_is_recorded_and_listed() {
    let Some(cluster) = Cluster::new() else {
        return;
    };
    cluster.share_sif();
    let output = cluster.run(
        r#"id=$(envc submit --output=/work/plain-%j.txt --error=/work/plain-%j.err -- sh -c 'printf "[%s]\n" "$@" "$HOSTILE"; cat /one /two' x "it's" '$(touch /work/pwned)' '"; exit 9')
echo "$id" > /work/plain.id
wait_job "$id" > /work/plain.state
failing=$(envc submit --output=/work/failing-%j.txt -- sh -c 'echo failing; exit 3')
wait_job "$failing" > /work/failing.state
cp /work/plain-$id.txt /work/plain.txt
envc status > /work/status.txt
envc status --json > /work/status.json
envc submit --print --array=0-1 --gres=gpu:1 -- true > /work/printed.sh"#,
    );
    assert!(output.status.success(), "{}", show(&output));
    let digest = cluster.digest();
    let plain = cluster.read("plain.txt");
    assert_eq!(
        plain,
        format!(
            "envc: env key {}, SIF {digest}, job {}\n[it's]\n[$(touch /work/pwned)]\n[\"; exit 9]\n[{}]\nhello {}\ntwo\n",
            cluster.key,
            cluster.read("plain.id").trim(),
            super::HOSTILE,
            cluster.project.name
        )
    );
    assert!(!cluster.work.path().join("pwned").exists());
    assert_eq!(
        states(&cluster.read("plain.state")),
        [("COMPLETED".to_owned(), "0:0".to_owned())]
    );
    assert_eq!(
        states(&cluster.read("failing.state")),
        [("FAILED".to_owned(), "3:0".to_owned())]
    );
    let plain_id = cluster.read("plain.id");
    // The records: job id, key and SIF digest, one line per submission.
    let events =
        std::fs::read_to_string(cluster.project.path().join(".envc/events.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = events
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &serde_json::Value| e["event"] == "slurm_job")
        .collect();
    assert_eq!(records.len(), 2, "{events}");
    assert_eq!(records[0]["job_id"], plain_id.trim());
    for record in &records {
        assert_eq!(record["key"], cluster.key.as_str());
        assert_eq!(record["sif_digest"], digest.as_str());
    }
    let status = cluster.read("status.txt");
    for (record, state) in records.iter().zip(["COMPLETED", "FAILED"]) {
        let line = format!(
            "job {}\t{state}\tkey {}\tSIF {digest}",
            record["job_id"].as_str().unwrap(),
            cluster.key
        );
        assert!(status.contains(&line), "{line:?} in {status}");
    }
    let json: serde_json::Value = serde_json::from_str(&cluster.read("status.json")).unwrap();
    assert_eq!(json["jobs"].as_array().map(Vec::len), Some(2), "{json}");
    // `--print`: the options as directives, `--nv` for the GPU request, nothing submitted.
    let printed = cluster.read("printed.sh");
    assert!(
        printed.starts_with("#!/bin/sh\n#SBATCH --array=0-1\n#SBATCH --gres=gpu:1\n"),
        "{printed}"
    );
    assert!(printed.contains("exec apptainer exec --nv "), "{printed}");
}

#[test]
fn an_array_of_four_tasks_pulls_the_sif_once_from_the_registry() {
    let Some(cluster) = Cluster::new() else {
        return;
    };
    let output = cluster.run(
        r#"id=$(envc submit --array=0-3 --output=/work/task-%a.txt -- sh -c 'echo "task $SLURM_ARRAY_TASK_ID"; cat /two')
wait_job "$id" > /work/array.state"#,
    );
    assert!(output.status.success(), "{}", show(&output));
    let states = states(&cluster.read("array.state"));
    assert_eq!(
        states,
        vec![("COMPLETED".to_owned(), "0:0".to_owned()); 4],
        "{}",
        cluster.read("array.state")
    );
    let mut pulls = 0;
    for task in 0..4 {
        let text = cluster.read(&format!("task-{task}.txt"));
        pulls += text.matches("envc: pulling the SIF of").count();
        assert!(
            text.ends_with(&format!("task {task}\ntwo\n")),
            "task {task}: {text}"
        );
        assert!(
            text.contains(&format!("SIF {}", cluster.digest())),
            "{text}"
        );
    }
    assert_eq!(pulls, 1, "one pull for four tasks");
    // The pulled file is the pushed one, byte for byte.
    assert_eq!(
        std::fs::read(
            cluster
                .work
                .path()
                .join(format!("sifs/{}.sif", cluster.key))
        )
        .unwrap(),
        std::fs::read(cluster.built_sif()).unwrap()
    );
}

#[test]
fn a_sif_changed_after_submission_fails_the_job_with_the_reason() {
    let Some(cluster) = Cluster::new() else {
        return;
    };
    cluster.share_sif();
    let output = cluster.run(&format!(
        r#"id=$(envc submit --hold --output=/work/bad.txt -- cat /two)
printf 'x' >> /work/sifs/{key}.sif
scontrol release "$id"
wait_job "$id" > /work/bad.state"#,
        key = cluster.key
    ));
    assert!(output.status.success(), "{}", show(&output));
    assert_eq!(
        states(&cluster.read("bad.state")),
        [("FAILED".to_owned(), "65:0".to_owned())]
    );
    let text = cluster.read("bad.txt");
    assert!(
        text.contains(&format!(
            "envc: refusing to run: /work/sifs/{}.sif has digest sha256:",
            cluster.key
        )) && text.contains(&format!("was recorded with {}", cluster.digest())),
        "{text}"
    );
    assert!(!text.contains("two"), "{text}");
}

#[test]
fn run_slurm_runs_the_command_as_an_srun_step_with_its_exit_status() {
    let Some(cluster) = Cluster::new() else {
        return;
    };
    cluster.share_sif();
    let output = cluster.run(
        r#"envc run --slurm -- cat /one > /work/srun.txt
set +e
envc run --slurm --srun=--job-name=envc-step -- sh -c 'exit 7'
echo "status $?" >> /work/srun.txt"#,
    );
    assert!(output.status.success(), "{}", show(&output));
    let text = cluster.read("srun.txt");
    assert!(
        text.ends_with(&format!("hello {}\nstatus 7\n", cluster.project.name)),
        "{text}"
    );
    assert!(text.starts_with("envc: env key "), "{text}");
}
