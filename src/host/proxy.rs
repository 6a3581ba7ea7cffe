//! The proxy variables envc passes from the host when a config asks for the host's proxy
//! (`build_host.proxy`, `run.proxy`).

/// The proxy variables, upper and lower case as tools read both (BuildKit's predefined
/// build arguments are the same names).
pub const PROXY_VARIABLES: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "FTP_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "ftp_proxy",
    "no_proxy",
    "all_proxy",
];
