//! Draining the engine's JSON progress streams (import, load, pull, push).
//!
//! These endpoints answer with a stream of status objects and report failure inside the
//! stream, not in the HTTP status. Each item is looked at as it arrives; the first error
//! item fails the whole operation, and a signal interrupts it.

use futures_util::{Stream, StreamExt};

use super::{Engine, EngineError, interrupt};

/// Consume `stream`, handing every item to `each`, failing on the first error item.
pub(crate) async fn drain<T>(
    engine: &Engine,
    action: &str,
    stream: impl Stream<Item = Result<T, bollard::errors::Error>>,
    mut each: impl FnMut(T),
) -> Result<(), EngineError> {
    interrupt::race(async {
        let mut stream = std::pin::pin!(stream);
        while let Some(item) = stream.next().await {
            match item {
                Ok(item) => each(item),
                Err(e) => return Err(engine.fail(action, e)),
            }
        }
        Ok(())
    })
    .await
}
