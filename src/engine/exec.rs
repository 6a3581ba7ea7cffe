//! Running a command in a running container (`docker exec`): post-start commands and the
//! fast path of `envc run` when the environment is already up.

use std::pin::Pin;

use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWrite;

use super::{Engine, EngineError, LogChunk, LogStream, interrupt, logs};

/// The command to run and how.
#[derive(Debug, Clone, Default)]
pub struct ExecSpec {
    pub cmd: Vec<String>,
    /// `NAME=value` entries added to the container's environment.
    pub env: Vec<String>,
    pub user: Option<String>,
    pub working_dir: Option<String>,
    pub tty: bool,
    /// Attach an input stream (the session's `input`).
    pub stdin: bool,
}

/// A started exec: its output, its input when asked for, and its ID for the exit status.
pub struct ExecSession {
    pub id: String,
    pub output: LogStream,
    pub input: Option<Pin<Box<dyn AsyncWrite + Send>>>,
}

/// A started exec with the engine's raw output stream, before it is wrapped.
pub(super) struct Attached {
    pub id: String,
    pub output: RawOutput,
    pub input: Option<Pin<Box<dyn AsyncWrite + Send>>>,
}

/// The engine's output frames as bollard gives them.
pub(super) type RawOutput =
    Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;

/// The collected result of an exec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    pub code: i64,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Engine {
    /// Start `spec` in container `container`, attached.
    pub async fn exec(&self, container: &str, spec: &ExecSpec) -> Result<ExecSession, EngineError> {
        interrupt::check()?;
        let action = format!("run `{}` in container `{container}`", spec.cmd.join(" "));
        let started = self.start_attached(container, spec, &action).await?;
        Ok(ExecSession {
            id: started.id,
            output: logs::output_stream(self.clone(), action, started.output),
            input: started.input,
        })
    }

    /// Create and start an exec attached to its output: the part `exec` and
    /// `exec_session` share; they differ only in how the output stream ends on a signal.
    pub(super) async fn start_attached(
        &self,
        container: &str,
        spec: &ExecSpec,
        action: &str,
    ) -> Result<Attached, EngineError> {
        let options = CreateExecOptions::<String> {
            cmd: Some(spec.cmd.clone()),
            env: (!spec.env.is_empty()).then(|| spec.env.clone()),
            user: spec.user.clone(),
            working_dir: spec.working_dir.clone(),
            tty: Some(spec.tty),
            attach_stdin: Some(spec.stdin),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let created = self
            .docker
            .create_exec(container, options)
            .await
            .map_err(|e| self.fail_lookup("container", container, action.to_owned(), e))?;
        let start = StartExecOptions {
            detach: false,
            tty: spec.tty,
            output_capacity: None,
        };
        match self
            .docker
            .start_exec(&created.id, Some(start))
            .await
            .map_err(|e| self.fail(action.to_owned(), e))?
        {
            StartExecResults::Attached { output, input } => Ok(Attached {
                id: created.id,
                output,
                input: spec.stdin.then_some(input),
            }),
            StartExecResults::Detached => Err(EngineError::Stream {
                action: action.to_owned(),
                message: "the engine started the command detached".into(),
            }),
        }
    }

    /// Tell an exec with a TTY its terminal size.
    pub async fn resize_exec(
        &self,
        exec_id: &str,
        rows: u16,
        columns: u16,
    ) -> Result<(), EngineError> {
        let options = bollard::query_parameters::ResizeExecOptions {
            h: rows.into(),
            w: columns.into(),
        };
        self.docker
            .resize_exec(exec_id, options)
            .await
            .map_err(|e| self.fail(format!("resize the terminal of exec `{exec_id}`"), e))
    }

    /// The exit status of a finished exec (`None` while it still runs).
    pub async fn exec_exit_code(&self, exec_id: &str) -> Result<Option<i64>, EngineError> {
        let inspect = self
            .docker
            .inspect_exec(exec_id)
            .await
            .map_err(|e| self.fail(format!("inspect exec `{exec_id}`"), e))?;
        if inspect.running == Some(true) {
            return Ok(None);
        }
        Ok(inspect.exit_code)
    }

    /// Run `spec` in `container` to completion and collect its output.
    pub async fn exec_output(
        &self,
        container: &str,
        spec: &ExecSpec,
    ) -> Result<ExecOutput, EngineError> {
        let mut session = self
            .exec(
                container,
                &ExecSpec {
                    stdin: false,
                    ..spec.clone()
                },
            )
            .await?;
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        while let Some(chunk) = session.output.next().await {
            match chunk? {
                LogChunk::Stdout(b) | LogChunk::Console(b) => stdout.extend_from_slice(&b),
                LogChunk::Stderr(b) => stderr.extend_from_slice(&b),
            }
        }
        // The output ends when the process does, but the engine may record the status a
        // moment later.
        for _ in 0..50 {
            if let Some(code) = self.exec_exit_code(&session.id).await? {
                return Ok(ExecOutput {
                    code,
                    stdout,
                    stderr,
                });
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        Err(EngineError::Stream {
            action: format!("run `{}` in container `{container}`", spec.cmd.join(" ")),
            message: "the command's output ended but the engine reports it still running".into(),
        })
    }
}
