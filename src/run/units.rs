//! The size and duration strings of the spec (`2g`, `30s`) as numbers the engine takes.

/// Bytes in a size such as `512m` or `2g` (units are powers of 1024; no unit means bytes).
pub fn bytes(size: &str) -> Option<i64> {
    let (digits, unit) = size.split_at(size.trim_end_matches(char::is_alphabetic).len());
    let number: i64 = digits.parse().ok()?;
    let factor: i64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        _ => return None,
    };
    number.checked_mul(factor)
}

/// Nanoseconds in a duration such as `500ms`, `30s`, `5m` or `1h`.
pub fn nanos(duration: &str) -> Option<i64> {
    let (digits, unit) = duration.split_at(duration.trim_end_matches(char::is_alphabetic).len());
    let number: i64 = digits.parse().ok()?;
    let factor: i64 = match unit {
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    };
    number.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_and_durations() {
        assert_eq!(super::bytes("2g"), Some(2 << 30));
        assert_eq!(super::bytes("64"), Some(64));
        assert_eq!(super::bytes("1x"), None);
        assert_eq!(super::nanos("30s"), Some(30_000_000_000));
        assert_eq!(super::nanos("500ms"), Some(500_000_000));
    }
}
