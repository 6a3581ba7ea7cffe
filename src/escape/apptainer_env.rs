//! Values of Apptainer's `--env NAME=VALUE`: Apptainer writes `export NAME="VALUE"` into a
//! script the container's shell reads, escaping only `"` itself, so `$VAR`, `$(...)`,
//! backticks and `\` act there (tried with Apptainer 1.4). A value envc passes is written with
//! `\`, `$` and `` ` `` backslash-escaped and arrives as it is, as Docker's `-e` passes it.

/// `value` escaped for the VALUE of `--env NAME=VALUE`.
pub fn value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn expansions_are_escaped() {
        assert_eq!(
            super::value(r#"it's $(x) `y` $HOME "q" \n"#),
            r#"it's \$(x) \`y\` \$HOME "q" \\n"#
        );
        assert_eq!(super::value("plain=1:2"), "plain=1:2");
    }
}
