//! One line for an error and its causes (`a: b: c`), the form envc prints wherever a typed
//! error becomes text: diagnostics at the CLI edge, reasons in verify checks, doctor's
//! network probes, warnings and events.
//!
//! It lives below every stage so that a stage can describe a failure without reaching up
//! into the CLI.

/// An error and its sources, joined by `: `.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read `envc.lock`")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn causes_follow_the_error_in_order() {
        let e = Outer(std::io::Error::other("permission denied"));
        assert_eq!(
            error_chain(&e),
            "cannot read `envc.lock`: permission denied"
        );
    }
}
