//! The comma-separated fields of docker CLI flags (`--mount type=bind,source=…,target=…`,
//! `--gpus "device=0,1"`), which the CLI reads with Go's `encoding/csv`.
//!
//! A field is written as it is unless Go's CSV reader would split or change it: one holding
//! a comma, a double quote or a newline, or starting with white space, is double-quoted with
//! inner quotes doubled (as Go's own CSV writer does). A carriage return is refused: the
//! reader turns `\r\n` inside a quoted field into `\n`.

use super::Unrepresentable;

const FORMAT: &str = "a docker CLI flag (comma-separated fields)";

/// One `key=value` field of a CSV flag value.
pub fn field(what: &str, text: &str) -> Result<String, Unrepresentable> {
    if text.contains('\r') {
        return Err(Unrepresentable::new(
            FORMAT,
            what,
            text,
            "a carriage return does not survive the CLI's CSV reader",
        ));
    }
    let needs_quotes =
        text.contains([',', '"', '\n']) || text.starts_with(char::is_whitespace) || text == r"\.";
    if !needs_quotes {
        return Ok(text.to_owned());
    }
    Ok(format!("\"{}\"", text.replace('"', "\"\"")))
}

/// Fields joined into one flag value.
pub fn record(what: &str, fields: &[String]) -> Result<String, Unrepresentable> {
    let quoted: Result<Vec<String>, _> = fields.iter().map(|f| field(what, f)).collect();
    Ok(quoted?.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_the_reader_would_split_them() {
        assert_eq!(field("f", "source=/a").unwrap(), "source=/a");
        assert_eq!(
            field("f", "source=/a,source=/").unwrap(),
            "\"source=/a,source=/\""
        );
        assert_eq!(field("f", "source=/a\"b").unwrap(), "\"source=/a\"\"b\"");
        assert_eq!(field("f", "source=/a\nb").unwrap(), "\"source=/a\nb\"");
        assert_eq!(field("f", " x").unwrap(), "\" x\"");
        assert!(field("f", "a\rb").is_err());
        assert_eq!(
            record("m", &["type=bind".into(), "source=/x,y".into()]).unwrap(),
            "type=bind,\"source=/x,y\""
        );
    }
}
