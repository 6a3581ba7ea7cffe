//! Whether the network a test needs is reachable, so such tests go through `require`
//! (skip locally, fail under `CI=true`) instead of failing on a sandboxed machine.
#![allow(dead_code)]

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// True when a TCP connection to `host:port` opens within a few seconds.
pub fn reachable(host: &str, port: u16) -> bool {
    let Ok(addresses) = (host, port).to_socket_addrs() else {
        return false;
    };
    addresses
        .into_iter()
        .any(|a| TcpStream::connect_timeout(&a, Duration::from_secs(5)).is_ok())
}

/// Skip or fail (see `require`) unless Debian's mirror is reachable.
pub fn require_debian_mirror() -> bool {
    super::require(
        "network access to deb.debian.org",
        super::have_command("apt-get") && reachable("deb.debian.org", 443),
    )
}
