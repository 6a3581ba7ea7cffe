//! dpkg's status file (`/var/lib/dpkg/status`), read the one way envc reads it: the
//! paragraphs of installed packages, each asked for its fields. The base check (are the
//! locked debootstrap packages what the imported base holds?) and the SBOM/installed = locked
//! check both read it.

/// The paragraphs of packages whose `Status:` ends in ` installed`.
pub fn installed(status: &str) -> impl Iterator<Item = Paragraph<'_>> {
    status.split("\n\n").map(Paragraph).filter(|p| {
        p.field("Status:")
            .is_some_and(|s| s.ends_with(" installed"))
    })
}

/// One package's paragraph.
#[derive(Debug, Clone, Copy)]
pub struct Paragraph<'a>(&'a str);

impl Paragraph<'_> {
    /// The value of the field `name` (with its colon, e.g. `"Version:"`), trimmed.
    pub fn field(&self, name: &str) -> Option<String> {
        self.0
            .lines()
            .find_map(|l| l.strip_prefix(name).map(str::trim).map(str::to_owned))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_installed_paragraphs_are_read() {
        let status = "Package: a\nStatus: install ok installed\nVersion: 1\n\n\
                      Package: b\nStatus: deinstall ok config-files\nVersion: 2\n";
        let names: Vec<_> = super::installed(status)
            .map(|p| p.field("Package:").unwrap())
            .collect();
        assert_eq!(names, ["a"]);
    }
}
