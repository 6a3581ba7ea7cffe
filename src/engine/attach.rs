//! Attaching to a container's stdin/stdout/stderr, and resizing its terminal: the one-shot
//! path of `envc run` and `envc shell`, where the user's terminal talks to the container.
//!
//! Attach before starting the container so no early output is lost.

use std::pin::Pin;

use bollard::container::AttachContainerResults;
use bollard::query_parameters::{AttachContainerOptions, ResizeContainerTTYOptions};
use tokio::io::AsyncWrite;

use super::{Engine, EngineError, LogStream, logs};

/// The container's streams: its output, and its input when it was created with `open_stdin`.
pub struct Attached {
    pub output: LogStream,
    pub input: Option<Pin<Box<dyn AsyncWrite + Send>>>,
}

impl Engine {
    /// Attach to container `id`: output always, input when `stdin`.
    pub async fn attach(&self, id: &str, stdin: bool) -> Result<Attached, EngineError> {
        let (attached, action) = self.attach_streams(id, stdin).await?;
        Ok(Attached {
            output: logs::output_stream(self.clone(), action, attached.output),
            input: stdin.then_some(attached.input),
        })
    }

    /// Attach to container `id`'s streams (before it starts), with the action's words for
    /// errors: what [`Engine::attach`] and [`Engine::attach_session`] both stand on.
    pub(super) async fn attach_streams(
        &self,
        id: &str,
        stdin: bool,
    ) -> Result<(AttachContainerResults, String), EngineError> {
        let options = AttachContainerOptions {
            stream: true,
            stdin,
            stdout: true,
            stderr: true,
            // Attached before the start: nothing to replay. Replaying logs as well raced
            // with the live stream under load and printed early output twice.
            logs: false,
            detach_keys: None,
        };
        let action = format!("attach to container `{id}`");
        let attached = self
            .docker
            .attach_container(id, Some(options))
            .await
            .map_err(|e| self.fail_lookup("container", id, action.clone(), e))?;
        Ok((attached, action))
    }

    /// Tell a container with a TTY its terminal size.
    pub async fn resize_container(
        &self,
        id: &str,
        rows: u16,
        columns: u16,
    ) -> Result<(), EngineError> {
        let options = ResizeContainerTTYOptions {
            h: rows.into(),
            w: columns.into(),
        };
        self.docker
            .resize_container_tty(id, options)
            .await
            .map_err(|e| {
                self.fail_lookup("container", id, format!("resize the terminal of `{id}`"), e)
            })
    }
}
