//! The checks about the host itself: user namespaces (or a setuid install) for Apptainer,
//! debootstrap for debootstrap bases, and free space where envc keeps its files.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};

use super::checks::which;
use super::{Check, Needs};

/// Less free space than this fails the disk check; under four times as much warns.
const DEFAULT_MIN_FREE: u64 = 2 * 1024 * 1024 * 1024;

/// Unprivileged user namespaces, or Apptainer's setuid starter.
pub fn user_namespaces(needs: &Needs) -> Check {
    const NAME: &str = "user-namespaces";
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
    };
    let max = read("/proc/sys/user/max_user_namespaces");
    // Debian and Ubuntu kernels have an extra switch; AppArmor may restrict it too.
    let debian_switch = read("/proc/sys/kernel/unprivileged_userns_clone");
    let apparmor = read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
    let setuid = [
        "/usr/libexec/apptainer/bin/starter-suid",
        "/usr/lib/apptainer/bin/starter-suid",
        "/usr/local/libexec/apptainer/bin/starter-suid",
    ]
    .iter()
    .any(|p| {
        std::fs::metadata(p)
            .is_ok_and(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o4000 != 0)
    });
    let enabled = max.is_some_and(|m| m > 0) && debian_switch != Some(0) && apparmor != Some(1);
    match (enabled, setuid) {
        (true, _) => Check::pass(
            NAME,
            format!(
                "unprivileged user namespaces are enabled (max {})",
                max.unwrap_or_default()
            ),
        ),
        (false, true) => Check::pass(NAME, "Apptainer is installed setuid (starter-suid)"),
        (false, false) => Check::missing(
            NAME,
            needs.apptainer,
            format!(
                "unprivileged user namespaces are off (max_user_namespaces={}, unprivileged_userns_clone={}, apparmor_restrict_unprivileged_userns={})",
                show(max),
                show(debian_switch),
                show(apparmor)
            ),
            "`sudo sysctl -w user.max_user_namespaces=15000 kernel.unprivileged_userns_clone=1`, or install Apptainer setuid (`apptainer-suid`)",
        ),
    }
}

fn show(v: Option<i64>) -> String {
    v.map_or_else(|| "-".into(), |v| v.to_string())
}

/// debootstrap on the host, and root to run it, for debootstrap bases.
pub fn debootstrap(needs: &Needs) -> Check {
    const NAME: &str = "debootstrap";
    let Some(path) = which("debootstrap") else {
        return Check::missing(
            NAME,
            needs.debootstrap,
            "no `debootstrap` on PATH",
            "`sudo apt-get install debootstrap` (needed for `base.debootstrap` only)",
        );
    };
    // SAFETY: a libc getter without arguments.
    if unsafe { libc::geteuid() } != 0 {
        return Check::missing(
            NAME,
            needs.debootstrap,
            format!(
                "{} is installed, but envc runs it as you, not root",
                path.display()
            ),
            "debootstrap needs root: run `envc build` with sudo for debootstrap bases, or use `base.image`",
        );
    }
    Check::pass(NAME, format!("{} (running as root)", path.display()))
}

/// Free space and write access where envc writes: its cache folder, and `/var/tmp` (where
/// debootstrap bases are made).
pub fn disk() -> Check {
    const NAME: &str = "disk";
    let min = std::env::var("ENVC_MIN_FREE_DISK")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(DEFAULT_MIN_FREE);
    let places = [crate::cache_dir::envc_cache(""), PathBuf::from("/var/tmp")];
    let mut lines = Vec::new();
    let mut worst = super::Status::Pass;
    let mut hint = String::new();
    for place in &places {
        match free_space(place) {
            Ok((existing, free)) => {
                let line = format!("{}: {} free", place.display(), human(free));
                if free < min {
                    worst = super::Status::Fail;
                    hint = format!(
                        "free space on `{}` (under {} is too little; `envc gc` and `docker system prune` remove old images)",
                        existing.display(),
                        human(min)
                    );
                } else if free < min.saturating_mul(4) && worst == super::Status::Pass {
                    worst = super::Status::Warn;
                    hint = format!("`{}` is getting full", existing.display());
                }
                lines.push(line);
            }
            Err(why) => {
                worst = super::Status::Fail;
                hint = format!(
                    "make `{}` writable, or set `XDG_CACHE_HOME` to a folder that is",
                    place.display()
                );
                lines.push(format!("{}: {why}", place.display()));
            }
        }
    }
    let summary = lines.join("; ");
    match worst {
        super::Status::Pass => Check::pass(NAME, summary),
        super::Status::Warn => Check::warn(NAME, summary, hint),
        super::Status::Fail => Check::fail(NAME, summary, hint),
    }
}

/// The free bytes on the filesystem that holds `path` (or would: the nearest folder that
/// exists), which must be a writable folder.
fn free_space(path: &Path) -> Result<(PathBuf, u64), String> {
    let existing = path
        .ancestors()
        .find(|p| p.exists())
        .ok_or("no part of the path exists")?
        .to_path_buf();
    if !existing.is_dir() {
        return Err(format!("`{}` is not a folder", existing.display()));
    }
    let c = CString::new(existing.as_os_str().as_bytes()).map_err(|_| "a NUL in the path")?;
    // SAFETY: `c` is a valid C string; `stat` is written by the call.
    let (writable, stat) = unsafe {
        let writable = libc::access(c.as_ptr(), libc::W_OK) == 0;
        let mut stat: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c.as_ptr(), &mut stat) != 0 {
            return Err(std::io::Error::last_os_error().to_string());
        }
        (writable, stat)
    };
    if !writable {
        return Err(format!("`{}` is not writable", existing.display()));
    }
    let read_only = stat.f_flag & libc::ST_RDONLY != 0;
    if read_only {
        return Err(format!(
            "`{}` is on a read-only filesystem",
            existing.display()
        ));
    }
    Ok((existing, stat.f_bavail.saturating_mul(stat.f_frsize)))
}

fn human(bytes: u64) -> String {
    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
    let b = bytes as f64;
    if b >= GIB {
        format!("{:.1} GiB", b / GIB)
    } else {
        format!("{:.0} MiB", b / 1024.0 / 1024.0)
    }
}
