//! `#SBATCH` directive words: sbatch reads each directive line itself (not a shell), splitting
//! on blanks, with `"` quoting, `\` escaping the next character and `#` starting a comment.

use super::Unrepresentable;

/// `option` as one word of a `#SBATCH` line: as it is when it needs no quoting, else in
/// double quotes with `\` and `"` escaped. A control character (a line break would start a
/// new directive) is refused.
pub fn directive_word(option: &str) -> Result<String, Unrepresentable> {
    if option.chars().any(char::is_control) {
        return Err(Unrepresentable::new(
            "a #SBATCH line",
            "the sbatch option",
            option,
            "a line break or control character would end the directive",
        ));
    }
    if !option.is_empty()
        && option
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"%+,-./:=@_".contains(&b))
    {
        return Ok(option.to_owned());
    }
    let mut out = String::with_capacity(option.len() + 2);
    out.push('"');
    for c in option.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_options_stay_and_others_are_quoted() {
        assert_eq!(directive_word("--array=0-3%2").unwrap(), "--array=0-3%2");
        assert_eq!(
            directive_word(r#"--comment=a "b" \ #c"#).unwrap(),
            r#""--comment=a \"b\" \\ #c""#
        );
        assert!(directive_word("--x=a\n#SBATCH --uid=0").is_err());
        assert!(directive_word("--x=a\rb").is_err());
    }
}
