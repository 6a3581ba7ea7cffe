//! Quantities written as strings: sizes (`2g`), file modes (`0644`) and durations (`30s`).

use super::{Check, Invalid, kind, shown};

pub(super) const CHECKS: &[(&str, Check)] = &[
    (ByteSize::NEWTYPE, check_byte_size),
    (FileMode::NEWTYPE, check_file_mode),
    (Duration::NEWTYPE, check_duration),
];

kind!(
    /// A size: a number with an optional unit `b`, `k`, `m` or `g` (for example `2g`).
    ByteSize,
    check_byte_size,
    { "type": "string", "pattern": "^[0-9]+[bkmgBKMG]?$" }
);

kind!(
    /// A file mode in octal, such as `0644` or `0755`.
    FileMode,
    check_file_mode,
    { "type": "string", "pattern": "^0?[0-7]{3,4}$" }
);

kind!(
    /// A duration: a number followed by `ms`, `s`, `m` or `h` (for example `30s`).
    Duration,
    check_duration,
    { "type": "string", "pattern": "^[0-9]+(ms|s|m|h)$" }
);

fn check_byte_size(s: &str) -> Result<(), Invalid> {
    let digits = s.trim_end_matches(['b', 'k', 'm', 'g', 'B', 'K', 'M', 'G']);
    let ok = !digits.is_empty()
        && digits.len() <= 15
        && digits.chars().all(|c| c.is_ascii_digit())
        && s.len() - digits.len() <= 1;
    if !ok {
        return Err(Invalid::new(format!("`{}` is not a size", shown(s)))
            .help("write a number with an optional unit `b`, `k`, `m` or `g`, for example `2g`"));
    }
    Ok(())
}

fn check_file_mode(s: &str) -> Result<(), Invalid> {
    let digits = s.strip_prefix('0').filter(|d| d.len() >= 3).unwrap_or(s);
    if !(3..=4).contains(&digits.len()) || !digits.chars().all(|c| matches!(c, '0'..='7')) {
        return Err(
            Invalid::new(format!("`{}` is not an octal file mode", shown(s)))
                .help("write the mode in octal as a string, for example `\"0644\"` or `\"0755\"`"),
        );
    }
    Ok(())
}

fn check_duration(s: &str) -> Result<(), Invalid> {
    let digits = s.trim_end_matches(['m', 's', 'h']);
    let unit = &s[digits.len()..];
    if digits.is_empty()
        || digits.len() > 9
        || !digits.chars().all(|c| c.is_ascii_digit())
        || !matches!(unit, "ms" | "s" | "m" | "h")
    {
        return Err(Invalid::new(format!("`{}` is not a duration", shown(s)))
            .help("write a number followed by `ms`, `s`, `m` or `h`, for example `30s`"));
    }
    Ok(())
}
