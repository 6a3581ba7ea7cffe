use std::process::Command;

use envc::lock::resolve::{ResolveError, download_sha256};

/// The mirror path and SHA-256 apt knows for busybox-static: an independent oracle.
fn apt_record() -> Option<(String, String, u64)> {
    let output = Command::new("apt-cache")
        .args(["show", "busybox-static"])
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::to_string)
    };
    Some((
        field("Filename")?,
        field("SHA256")?,
        field("Size")?.parse().ok()?,
    ))
}

#[test]
fn a_download_hashes_to_what_debian_publishes() {
    if !crate::support::net::require_debian_mirror() {
        return;
    }
    let Some((path, sha256, size)) = apt_record() else {
        crate::support::require("apt package lists with busybox-static", false);
        return;
    };
    let rt = crate::support::docker::runtime();
    for scheme in ["http", "https"] {
        let url = format!("{scheme}://deb.debian.org/debian/{path}");
        let download = rt.block_on(download_sha256(&url)).unwrap();
        assert_eq!(download.sha256, sha256, "{url}");
        assert_eq!(download.size, size, "{url}");
    }
}

#[test]
fn a_missing_file_is_an_http_error() {
    if !crate::support::net::require_debian_mirror() {
        return;
    }
    let rt = crate::support::docker::runtime();
    let url = "https://deb.debian.org/debian/envc-no-such-file";
    let error = rt.block_on(download_sha256(url)).unwrap_err();
    assert!(
        matches!(error, ResolveError::HttpStatus { status: 404, .. }),
        "{error:?}"
    );
}
