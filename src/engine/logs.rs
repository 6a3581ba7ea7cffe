//! Container output as a stream of chunks, tagged stdout or stderr.
//!
//! Logs are followed item by item; an engine error ends the stream with that error, and a
//! SIGINT/SIGTERM ends it with [`EngineError::Interrupted`], so a caller showing a step's
//! live output never hangs on a dead engine or ignores Ctrl-C.

use std::pin::Pin;

use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};

use super::{Engine, EngineError, interrupt};

/// One piece of a container's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogChunk {
    Stdout(Bytes),
    Stderr(Bytes),
    /// Output of a container with a TTY, where stdout and stderr are one stream.
    Console(Bytes),
}

impl LogChunk {
    pub fn bytes(&self) -> &Bytes {
        match self {
            LogChunk::Stdout(b) | LogChunk::Stderr(b) | LogChunk::Console(b) => b,
        }
    }

    pub(crate) fn from_output(output: LogOutput) -> Option<LogChunk> {
        match output {
            LogOutput::StdOut { message } => Some(LogChunk::Stdout(message)),
            LogOutput::StdErr { message } => Some(LogChunk::Stderr(message)),
            LogOutput::Console { message } => Some(LogChunk::Console(message)),
            LogOutput::StdIn { .. } => None,
        }
    }
}

/// A stream of output chunks that ends with an error when the engine or a signal stops it.
pub type LogStream = Pin<Box<dyn Stream<Item = Result<LogChunk, EngineError>> + Send>>;

impl Engine {
    /// The container's output so far, and with `follow` everything until it stops.
    pub fn logs(&self, id: &str, follow: bool) -> LogStream {
        let options = LogsOptionsBuilder::new()
            .follow(follow)
            .stdout(true)
            .stderr(true)
            .build();
        let inner = self.docker.logs(id, Some(options));
        output_stream(
            self.clone(),
            format!("read the output of container `{id}`"),
            inner,
        )
    }
}

/// Adapt a bollard output stream: typed chunks, typed errors, ended by signals.
pub(crate) fn output_stream(
    engine: Engine,
    action: String,
    inner: impl Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send + 'static,
) -> LogStream {
    let inner = inner.boxed();
    let state = Some((engine, action, inner));
    Box::pin(futures_util::stream::unfold(state, |state| async move {
        let (engine, action, mut inner) = state?;
        loop {
            let item = tokio::select! {
                item = inner.next() => item,
                signal = interrupt::wait() => {
                    return Some((Err(EngineError::Interrupted { signal }), None));
                }
            };
            match item {
                None => return None,
                Some(Ok(output)) => {
                    if let Some(chunk) = LogChunk::from_output(output) {
                        return Some((Ok(chunk), Some((engine, action, inner))));
                    }
                }
                Some(Err(e)) => return Some((Err(engine.fail(action, e)), None)),
            }
        }
    }))
}
