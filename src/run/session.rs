//! Connecting a command in the container to the user: stdin/stdout/stderr streamed both
//! ways, a raw terminal when a TTY is allocated, SIGINT/SIGTERM forwarded to the command, and
//! the window size kept in step.
//!
//! Signals never stop envc itself: they are passed on ([`Forward`]) and envc keeps relaying
//! output until the command ends, so the exit status is the command's own (130 for a
//! `sleep` stopped by Ctrl-C).

use std::io::{Read, Write};

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::signal::unix::{SignalKind, signal};

use super::terminal::{self, RawMode};
use crate::engine::{Engine, EngineError, LogChunk, Session};

/// Where to deliver forwarded signals and terminal resizes.
pub enum Forward<'a> {
    /// An exec in the environment container; its pid is in `/run/envc/<token>.pid`.
    Exec { container: &'a str, token: &'a str },
    /// A one-shot container (its init passes signals to the command).
    Container { id: &'a str },
}

/// Relay `session` until its output ends.
pub async fn relay(
    engine: &Engine,
    mut session: Session,
    tty: bool,
    forward: Forward<'_>,
) -> Result<(), EngineError> {
    let _raw = if tty { RawMode::enable() } else { None };
    if tty {
        resize(engine, &session, &forward).await;
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(16);
    if session.input.is_some() {
        // A plain thread: a blocked read of stdin must not keep a runtime from shutting down.
        let _ = std::thread::Builder::new()
            .name("envc-stdin".into())
            .spawn(move || {
                let mut stdin = std::io::stdin().lock();
                let mut buffer = vec![0u8; 16 * 1024];
                loop {
                    match stdin.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if tx.blocking_send(buffer[..n].to_vec()).is_err() {
                                break;
                            }
                        }
                    }
                }
            });
    } else {
        drop(tx);
    }
    let mut interrupt = signal(SignalKind::interrupt()).ok();
    let mut terminate = signal(SignalKind::terminate()).ok();
    let mut winch = signal(SignalKind::window_change()).ok();
    let mut input_open = session.input.is_some();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    loop {
        tokio::select! {
            chunk = session.output.next() => match chunk {
                None => break,
                Some(Err(e)) => return Err(e),
                Some(Ok(LogChunk::Stderr(bytes))) => {
                    let mut err = stderr.lock();
                    let _ = err.write_all(&bytes).and_then(|()| err.flush());
                }
                Some(Ok(LogChunk::Stdout(bytes) | LogChunk::Console(bytes))) => {
                    let mut out = stdout.lock();
                    let _ = out.write_all(&bytes).and_then(|()| out.flush());
                }
            },
            data = rx.recv(), if input_open => {
                let Some(input) = session.input.as_mut() else { continue };
                match data {
                    Some(bytes) => {
                        if input.write_all(&bytes).await.is_err() {
                            input_open = false;
                        }
                        let _ = input.flush().await;
                    }
                    None => {
                        input_open = false;
                        // End of input: close the command's stdin (a TTY keeps it: the
                        // terminal, not a stream, is what the command reads).
                        if !tty {
                            let _ = input.shutdown().await;
                        }
                    }
                }
            },
            Some(()) = recv(&mut interrupt) => send(engine, &forward, "INT").await,
            Some(()) = recv(&mut terminate) => send(engine, &forward, "TERM").await,
            Some(()) = recv(&mut winch) => resize(engine, &session, &forward).await,
        }
    }
    Ok(())
}

async fn recv(s: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
    match s {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}

async fn send(engine: &Engine, forward: &Forward<'_>, signal: &str) {
    let result = match forward {
        Forward::Container { id } => engine.kill_container(id, &format!("SIG{signal}")).await,
        Forward::Exec { container, token } => {
            let spec = crate::engine::ExecSpec {
                cmd: vec![
                    "/bin/sh".into(),
                    "-c".into(),
                    format!(
                        "kill -{signal} \"$(cat {}/{token}.pid)\" 2>/dev/null",
                        super::user_script::PID_DIR
                    ),
                ],
                user: Some("0:0".into()),
                ..Default::default()
            };
            match engine.exec_session(container, &spec).await {
                Ok(mut s) => {
                    while s.output.next().await.is_some() {}
                    Ok(())
                }
                Err(e) => Err(e),
            }
        }
    };
    if let Err(e) = result {
        tracing::warn!("cannot forward SIG{signal}: {e}");
    }
}

async fn resize(engine: &Engine, session: &Session, forward: &Forward<'_>) {
    let Some((rows, columns)) = terminal::size() else {
        return;
    };
    let _ = match forward {
        Forward::Exec { .. } => engine.resize_exec(&session.id, rows, columns).await,
        Forward::Container { id } => engine.resize_container(id, rows, columns).await,
    };
}
