//! The short fuzz run of the test command: the bodies of the spec and emitter fuzz targets
//! (`fuzz/harness/`, also driven by libFuzzer with `cargo fuzz`) over a fixed-seed stream
//! of mutated configs, bounded in count and time, on stable Rust.
//!
//! Seeds are every example, the bad-config corpus and the plan fixture. Each input is one
//! of: a seed with byte-level mutations (flips, cuts, duplicated ranges, hostile tokens
//! spliced in), or a JSON seed with a structural mutation (a string leaf replaced by a
//! hostile value, a key added or removed, a value retyped), which gets past the parser to
//! the field kinds and, when it still checks, to every emitter. A panic is reported with
//! the input's index and written to `target/fuzz-failures/` to reproduce.

#[path = "../../fuzz/harness/mod.rs"]
mod harness;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support;

/// At most this many inputs, and at most this long (whichever comes first).
const COUNT: usize = 20_000;
const BUDGET: Duration = Duration::from_secs(45);

/// Strings that broke or nearly broke some tool: control characters, quotes, shell and
/// Dockerfile syntax, paths out, placeholders, huge and odd numbers.
const HOSTILE: &[&str] = &[
    "\n",
    "\r\n",
    "\u{0}",
    "\u{1b}]0;x\u{7}",
    "\u{9b}",
    "\u{202e}",
    "\"",
    "'",
    "\\",
    "`",
    "$(id)",
    "${HOME}",
    "{home}",
    "{env:X}",
    "{{",
    "}}",
    "../",
    "/..",
    "//",
    "/",
    ".",
    "a/../b",
    ":",
    ",",
    ";",
    "@sha256:",
    "--",
    " -r /etc/shadow",
    "%setup",
    "\nRUN id\n",
    "\n%post\nid\n",
    "<<EOF",
    "#",
    "=",
    "*",
    "é",
    "\u{fffd}",
    "0",
    "-1",
    "65536",
    "4294967295",
    "1e309",
    "true",
    "null",
    "[]",
    "{}",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: a fixed, portable sequence.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn hostile(&mut self) -> &'static str {
        HOSTILE[self.below(HOSTILE.len())]
    }
}

fn seeds() -> Vec<(PathBuf, Vec<u8>)> {
    let root = support::repo_root();
    let mut files = Vec::new();
    let mut dirs = vec![
        root.join("examples"),
        root.join("tests/spec/bad"),
        root.join("tests/plan"),
    ];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && !path.ends_with("snapshots") && !path.ends_with("parts") {
                dirs.push(path);
            } else if kind.is_file()
                && matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("nix" | "json")
                )
                && let Ok(bytes) = std::fs::read(&path)
            {
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    files
}

fn mutate_bytes(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(5) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let end = (at + rng.below(16)).min(out.len());
                out.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(32)).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
            _ => {
                let token = rng.hostile().as_bytes().to_vec();
                out.splice(at..at, token);
            }
        }
    }
    out
}

/// Every string leaf (and object) of a JSON value, as paths of keys and indices.
fn leaves(value: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            out.push(at.clone());
            for (k, v) in map {
                at.push(k.clone());
                leaves(v, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                at.push(i.to_string());
                leaves(v, at, out);
                at.pop();
            }
        }
        _ => out.push(at.clone()),
    }
}

fn at_mut<'a>(value: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |v, seg| match v {
        Value::Object(map) => map.get_mut(seg),
        Value::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    })
}

fn mutate_json(rng: &mut Rng, seed: &Value) -> Vec<u8> {
    let mut value = seed.clone();
    let mut paths = Vec::new();
    leaves(&value, &mut Vec::new(), &mut paths);
    for _ in 0..rng.below(3) {
        let path = paths[rng.below(paths.len())].clone();
        let hostile = rng.hostile();
        let choice = rng.below(6);
        let Some(target) = at_mut(&mut value, &path) else {
            continue;
        };
        match (choice, target) {
            (0 | 1, Value::String(s)) => {
                let at = rng.below(s.len() + 1);
                let at = (0..=at).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
                s.insert_str(at, hostile);
            }
            (2, Value::String(s)) => *s = hostile.to_owned(),
            (3, Value::Object(map)) => {
                map.insert(hostile.to_owned(), Value::String(hostile.to_owned()));
            }
            (4, Value::Object(map)) if !map.is_empty() => {
                let key = map
                    .keys()
                    .nth(rng.below(map.len()))
                    .cloned()
                    .unwrap_or_default();
                map.remove(&key);
            }
            (_, target) => {
                *target = match rng.below(5) {
                    0 => Value::from(-1),
                    1 => Value::from(u64::MAX),
                    2 => Value::Array(vec![Value::String(hostile.to_owned())]),
                    3 => Value::Null,
                    _ => Value::String(hostile.repeat(1 + rng.below(300))),
                };
            }
        }
    }
    serde_json::to_vec_pretty(&value).unwrap_or_default()
}

#[test]
fn fuzz_spec_checks_and_emitters_short_run() {
    let seeds = seeds();
    assert!(seeds.len() > 100, "only {} seeds", seeds.len());
    // Structural mutations start from configs that check, so that many reach the emitters.
    let json_seeds: Vec<Value> = seeds
        .iter()
        .filter(|(p, _)| !p.starts_with(support::repo_root().join("tests/spec/bad")))
        .filter_map(|(_, b)| serde_json::from_slice::<Value>(b).ok())
        .filter(Value::is_object)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x00e4_7c5e_ed00_0015);
    let start = Instant::now();
    let mut ran = 0;
    let mut emitted = 0;
    for i in 0..COUNT {
        if start.elapsed() > BUDGET {
            break;
        }
        let (nix, input) = if rng.below(2) == 0 && !json_seeds.is_empty() {
            let seed = &json_seeds[rng.below(json_seeds.len())];
            (false, mutate_json(&mut rng, seed))
        } else {
            let (path, bytes) = &seeds[rng.below(seeds.len())];
            let nix = path.extension().is_some_and(|e| e == "nix");
            (nix, mutate_bytes(&mut rng, bytes))
        };
        let result = std::panic::catch_unwind(|| harness::emit(dir.path(), &input, nix));
        if matches!(result, Ok(harness::Reached::Emitted)) {
            emitted += 1;
        }
        if result.is_err() {
            let failures = support::repo_root().join("target/fuzz-failures");
            let _ = std::fs::create_dir_all(&failures);
            let file = failures.join(format!("input-{i}.{}", if nix { "nix" } else { "json" }));
            let _ = std::fs::write(&file, &input);
            panic!(
                "input {i} panicked; written to {}",
                Path::new(&file).display()
            );
        }
        ran += 1;
    }
    eprintln!(
        "fuzz: {ran} inputs in {:.1}s, {emitted} through every emitter",
        start.elapsed().as_secs_f64()
    );
    assert!(ran >= 200, "only {ran} inputs ran in the time budget");
    // The stream must exercise the emitters, not only the parser.
    assert!(
        emitted * 20 >= ran,
        "only {emitted} of {ran} inputs reached the emitters"
    );
}
