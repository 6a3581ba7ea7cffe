//! Machine-readable build events: one JSON object per line in the events file (default
//! `.envc/events.jsonl`), and the last known state in `.envc/status.json`.
//!
//! Scripts and agents poll `status.json` cheaply instead of parsing progress output, and
//! follow the events file for details. Events are appended (the file is rotated to
//! `events.jsonl.1` past 1 MiB); `status.json` is replaced atomically, so a reader never sees
//! half of it. Failing to write either is worth a warning, never a failed build.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Value, json};

/// Rotate the events file when it grows past this.
const ROTATE_BYTES: u64 = 1 << 20;

/// One build event.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The plan of a build: its environment, key and steps.
    Plan {
        name: String,
        variant: Option<String>,
        key: String,
        steps: Vec<Value>,
    },
    /// A step was found in the cache: `source` is `local` (the engine) or `registry`.
    CacheHit {
        index: usize,
        label: String,
        key: String,
        source: &'static str,
    },
    /// A step started.
    StepStart {
        index: usize,
        label: String,
        key: String,
    },
    /// A step ended successfully (`source` is `built`).
    StepEnd {
        index: usize,
        label: String,
        key: String,
        source: &'static str,
        duration_ms: u128,
    },
    /// The cache registry was asked for the steps not in the engine.
    RegistryProbe {
        registry: String,
        probed: usize,
        found: usize,
        duration_ms: u128,
    },
    /// A step image was pulled from the cache registry and verified.
    RegistryPull {
        index: usize,
        key: String,
        reference: String,
        bytes: u64,
        rootfs: String,
        duration_ms: u128,
    },
    /// A cache registry entry was refused (it is not what its key says).
    RegistryRefused {
        index: usize,
        key: String,
        reference: String,
        reason: String,
    },
    /// The cache registry could not be used; the build went on without it.
    RegistryUnavailable { registry: String, message: String },
    /// The build failed.
    Failure {
        index: Option<usize>,
        label: Option<String>,
        message: String,
    },
    /// The build finished.
    Done {
        image: String,
        key: String,
        executed: usize,
        cached: usize,
        duration_ms: u128,
    },
}

/// Where events and status go for one build.
pub struct EventLog {
    events: Option<(PathBuf, File)>,
    status: Option<PathBuf>,
    build_id: String,
    total: usize,
}

impl EventLog {
    /// Open `events` for appending and remember `status`; `None` turns either off.
    pub fn open(events: Option<&Path>, status: Option<&Path>) -> EventLog {
        let events = events.and_then(|path| match open_append(path) {
            Ok(file) => Some((path.to_path_buf(), file)),
            Err(error) => {
                tracing::warn!("cannot write build events to `{}`: {error}", path.display());
                None
            }
        });
        let build_id = format!("{}-{}", std::process::id(), now_ms());
        EventLog {
            events,
            status: status.map(Path::to_path_buf),
            build_id,
            total: 0,
        }
    }

    /// A log that writes nothing.
    pub fn disabled() -> EventLog {
        EventLog::open(None, None)
    }

    /// Record `event` and update the status file.
    pub fn emit(&mut self, event: Event) {
        let mut value = serde_json::to_value(&event).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            map.insert("time_ms".into(), json!(now_ms() as u64));
            map.insert("build".into(), json!(self.build_id));
            map.insert("pid".into(), json!(std::process::id()));
        }
        if let Some((path, file)) = &mut self.events {
            let mut line = serde_json::to_vec(&value).unwrap_or_default();
            line.push(b'\n');
            if let Err(error) = file.write_all(&line) {
                tracing::warn!("cannot write build events to `{}`: {error}", path.display());
            }
        }
        if let Event::Plan { steps, .. } = &event {
            self.total = steps.len();
        }
        self.write_status(&event, &value);
    }

    fn write_status(&self, event: &Event, value: &Value) {
        let Some(path) = &self.status else { return };
        let state = match event {
            Event::Plan { .. } | Event::CacheHit { .. } | Event::StepStart { .. } => "building",
            Event::StepEnd { .. }
            | Event::RegistryProbe { .. }
            | Event::RegistryPull { .. }
            | Event::RegistryRefused { .. }
            | Event::RegistryUnavailable { .. } => "building",
            Event::Failure { .. } => "failed",
            Event::Done { .. } => "done",
        };
        let status = json!({
            "state": state,
            "steps": self.total,
            "last_event": value,
        });
        let mut bytes = serde_json::to_vec_pretty(&status).unwrap_or_default();
        bytes.push(b'\n');
        if let Err(error) = write_atomically(path, &bytes) {
            tracing::warn!("cannot write `{}`: {error}", path.display());
        }
    }
}

fn open_append(path: &Path) -> std::io::Result<File> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() > ROTATE_BYTES) {
        let mut rotated = path.as_os_str().to_owned();
        rotated.push(".1");
        std::fs::rename(path, rotated)?;
    }
    crate::state_dir::open_append(path)
}

/// `status.json` is read by schedulers and monitoring: the umask's mode, never 0600.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::state_dir::write_atomically(path, bytes, crate::state_dir::Audience::Shared)
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_json_lines_and_status_tracks_the_last_state() {
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join(".envc/events.jsonl");
        let status = dir.path().join(".envc/status.json");
        let mut log = EventLog::open(Some(&events), Some(&status));
        log.emit(Event::Plan {
            name: "demo".into(),
            variant: None,
            key: "k".into(),
            steps: vec![json!({"index": 0}), json!({"index": 1})],
        });
        log.emit(Event::StepStart {
            index: 1,
            label: "run".into(),
            key: "k".into(),
        });
        let text = std::fs::read_to_string(&events).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["event"], "plan");
        assert_eq!(lines[1]["event"], "step_start");
        let status: Value =
            serde_json::from_str(&std::fs::read_to_string(&status).unwrap()).unwrap();
        assert_eq!(status["state"], "building");
        assert_eq!(status["steps"], 2);
        log.emit(Event::Failure {
            index: Some(1),
            label: Some("run".into()),
            message: "boom".into(),
        });
        let status: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(".envc/status.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(status["state"], "failed");
    }
}
