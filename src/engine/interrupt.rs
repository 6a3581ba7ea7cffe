//! Ctrl-C and SIGTERM, handled in one place.
//!
//! The first SIGINT or SIGTERM is recorded and wakes everything waiting in [`wait`]; engine
//! operations that can take long (waiting for a container, following logs) race against it
//! and return [`EngineError::Interrupted`], so the ordinary error path unwinds and every
//! [`ContainerGuard`](super::ContainerGuard) removes its container. A second signal means
//! "stop now": the containers still alive are force-removed over a fresh connection and
//! the process exits with 128 + the signal number.
//!
//! The listener runs on its own thread and runtime, so it outlives the runtime of any one
//! caller (tests create many) and can clean up while the main runtime is blocked.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use tokio::sync::watch;

use super::{Engine, EngineError, Signal};

struct Interrupts {
    received: watch::Sender<Option<Signal>>,
    /// Containers created through guards and not yet removed, by ID.
    live: Mutex<HashMap<String, Engine>>,
}

fn state() -> &'static Interrupts {
    static STATE: OnceLock<Interrupts> = OnceLock::new();
    STATE.get_or_init(|| Interrupts {
        received: watch::Sender::new(None),
        live: Mutex::new(HashMap::new()),
    })
}

/// Start listening for SIGINT and SIGTERM (once per process; later calls do nothing).
pub fn install() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("envc-signals".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        tracing::warn!(%error, "cannot listen for signals");
                        let _ = ready_tx.send(());
                        return;
                    }
                };
                runtime.block_on(listen(ready_tx));
            });
        match spawned {
            // Wait until the handlers are registered, so a signal sent right after
            // `install` returns is seen.
            Ok(_) => {
                let _ = ready_rx.recv();
            }
            Err(error) => tracing::warn!(%error, "cannot start the signal listener"),
        }
    });
}

async fn listen(ready: std::sync::mpsc::Sender<()>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        tracing::warn!("cannot register SIGINT/SIGTERM handlers");
        let _ = ready.send(());
        return;
    };
    let _ = ready.send(());
    loop {
        let signal = tokio::select! {
            _ = interrupt.recv() => Signal::Interrupt,
            _ = terminate.recv() => Signal::Terminate,
        };
        let first = state().received.send_if_modified(|seen| {
            if seen.is_none() {
                *seen = Some(signal);
                true
            } else {
                false
            }
        });
        if first {
            tracing::info!("{} received, stopping", signal.name());
            continue;
        }
        eprintln!(
            "envc: {} again, removing containers and exiting",
            signal.name()
        );
        remove_all_live().await;
        std::process::exit(signal.exit_status().into());
    }
}

/// The signal received so far, if any.
pub fn received() -> Option<Signal> {
    *state().received.borrow()
}

/// Fail with [`EngineError::Interrupted`] when a signal has been received.
pub fn check() -> Result<(), EngineError> {
    match received() {
        Some(signal) => Err(EngineError::Interrupted { signal }),
        None => Ok(()),
    }
}

/// Wait until SIGINT or SIGTERM arrives (installing the listener if needed).
pub async fn wait() -> Signal {
    install();
    let mut receiver = state().received.subscribe();
    loop {
        if let Some(signal) = *receiver.borrow_and_update() {
            return signal;
        }
        if receiver.changed().await.is_err() {
            // The sender lives in a static and is never dropped.
            std::future::pending::<()>().await;
        }
    }
}

/// Run `operation` unless a signal arrives first.
pub async fn race<T>(
    operation: impl Future<Output = Result<T, EngineError>>,
) -> Result<T, EngineError> {
    tokio::select! {
        result = operation => result,
        signal = wait() => Err(EngineError::Interrupted { signal }),
    }
}

pub(crate) fn track(engine: &Engine, id: &str) {
    install();
    if let Ok(mut live) = state().live.lock() {
        live.insert(id.to_string(), engine.clone());
    }
}

pub(crate) fn untrack(id: &str) {
    if let Ok(mut live) = state().live.lock() {
        live.remove(id);
    }
}

/// The containers guards created and have not removed yet.
pub fn live_containers() -> Vec<String> {
    state()
        .live
        .lock()
        .map(|live| live.keys().cloned().collect())
        .unwrap_or_default()
}

async fn remove_all_live() {
    let live: Vec<(String, Engine)> = state()
        .live
        .lock()
        .map(|mut live| live.drain().collect())
        .unwrap_or_default();
    for (id, engine) in live {
        if let Err(error) = super::container::force_remove_fresh(&engine, &id).await {
            eprintln!("envc: could not remove container `{id}`: {error}");
        }
    }
}
