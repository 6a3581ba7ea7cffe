//! Each kind against values it must take and values it must refuse (the hostile ones from
//! issue 15 among them).

use super::*;

fn ok<T>(what: &str, r: Result<T, Invalid>) {
    assert!(r.is_ok(), "{what} should be accepted: {:?}", r.err());
}

fn bad<T: std::fmt::Debug>(what: &str, r: Result<T, Invalid>) {
    assert!(r.is_err(), "{what} should be refused: {r:?}");
}

#[test]
fn image_refs_follow_the_reference_grammar() {
    for s in [
        "debian:bookworm",
        "nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04",
        "localhost:5000/team/app:1.0",
        "ghcr.io/org/a__b/c-d:v1",
        "[::1]:5000/app:1",
        "debian@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        ok(s, ImageRef::new(s));
    }
    for s in [
        "debian",
        "Debian:12",
        "debian:",
        "debian@sha256:xyz",
        "localhost:5000/app",
        "a/../b:1",
        "a..b:1",
        "a-:1",
        "-a:1",
        "a b:1",
        "a\n:1",
        "evil.io:99999/a:1",
        "debian:.x",
    ] {
        bad(s, ImageRef::new(s));
    }
}

#[test]
fn debootstrap_words_cannot_reach_the_host_as_paths_or_options() {
    ok("bookworm", Codename::new("bookworm"));
    ok("jammy", Codename::new("jammy"));
    for s in [
        "../../../../proc/self/cwd/evil",
        "bookworm --foreign",
        "",
        "Bookworm",
        "/tmp",
    ] {
        bad(s, Codename::new(s));
    }
    ok("minbase", DebootstrapVariant::new("minbase"));
    bad("--keyring=/x", DebootstrapVariant::new("--keyring=/x"));
    ok("main", Component::new("main"));
    ok("updates/main", Component::new("updates/main"));
    bad("main,contrib", Component::new("main,contrib"));
    ok("stamp", SnapshotStamp::new("20240601T000000Z"));
    bad("stamp", SnapshotStamp::new("2024/../../x"));
    ok("mirror", MirrorUrl::new("http://deb.debian.org/debian"));
    for s in [
        "file:///etc",
        "http://a b/",
        "http://user:pw@mirror/debian",
        "http:///debian",
        "http://mirror/debian\n--include=x",
        "http://mirror/$(id)`x`",
    ] {
        bad(s, MirrorUrl::new(s));
    }
}

#[test]
fn packages_and_requirements() {
    for s in [
        "libssl-dev",
        "g++=4:12.2.0-3",
        "libc6:amd64",
        "curl=7.88.1-10+deb12u5",
        "curl/bookworm",
        "rustc/trixie-backports",
    ] {
        ok(s, AptPackage::new(s));
    }
    for s in [
        "Foo",
        "a",
        "curl=",
        "curl=abc",
        "rustc/",
        "rustc/a b",
        "rustc/../x",
        "rustc=1.0/x",
        "lib*",
        "-y",
        "curl;id",
    ] {
        bad(s, AptPackage::new(s));
    }
    for s in [
        "numpy==1.26.4",
        "torch>=2.3,<3",
        "requests[socks,security]>=2",
        "pkg; python_version >= \"3.9\"",
        "black",
        "a.b_c-d~=1.0",
    ] {
        ok(s, PipRequirement::new(s));
    }
    for s in [
        "numpy --index-url http://evil/",
        "-r /etc/shadow",
        "numpy==1 # x",
        "numpy @ https://x/y.whl",
        "numpy==${HOME}",
        "numpy\n--trusted-host x",
        "numpy=1",
        "numpy==",
    ] {
        bad(s, PipRequirement::new(s));
    }
}

#[test]
fn engine_names_follow_the_engine_rules() {
    for s in ["app", "my-app", "a.b", "a__b", "a--b", "py3"] {
        ok(s, Name::new(s));
    }
    for s in [
        "a/../b",
        "A",
        "a..b",
        "a.",
        "-a",
        "a_",
        "",
        "a b",
        &"a".repeat(64),
    ] {
        bad(s, Name::new(s));
    }
    ok("db", ServiceName::new("db"));
    for s in ["db.x", "db_x", "-db", "DB"] {
        bad(s, ServiceName::new(s));
    }
    ok("net", NetworkName::new("{project_slug}-net"));
    ok("host", NetworkName::new("host"));
    for s in ["a/../b", "container:x", "{home}-net", "x", "a b"] {
        bad(s, NetworkName::new(s));
    }
    ok("volume", VolumeName::new("{project_slug}-cache"));
    bad("volume", VolumeName::new("/etc"));
    ok("container", ContainerName::new("dev-{user}"));
    bad("container", ContainerName::new("dev/{user}"));
    ok("user", UserName::new("{user}"));
    ok("user", UserName::new("dev"));
    bad("user", UserName::new("root\nx"));
    bad("user", UserName::new("Bob"));
}

#[test]
fn small_names() {
    ok("label", LabelKey::new("org.opencontainers.image.source"));
    for s in ["dev.envc.key", "a\nb", "", "-a", "a b"] {
        bad(s, LabelKey::new(s));
    }
    ok("cache", CacheId::new("pip"));
    for s in ["a/b", "A", "a\n", ""] {
        bad(s, CacheId::new(s));
    }
    for s in ["root:root", "1000:1000", "app", "_svc:staff"] {
        ok(s, Owner::new(s));
    }
    for s in ["root:root\n", "a b", "root:", ":root", "x:y:z"] {
        bad(s, Owner::new(s));
    }
    ok("cap", Capability::new("SYS_PTRACE"));
    bad("cap", Capability::new("CAP_SYS_ADMIN"));
    bad("cap", Capability::new("SYS_PTRAC"));
    ok("ulimit", UlimitName::new("nofile"));
    bad("ulimit", UlimitName::new("nofiles"));
    ok("gpu", GpuId::new("GPU-8f3a"));
    bad("gpu", GpuId::new("0,capabilities=compute"));
}

#[test]
fn paths_are_canonical() {
    for s in ["/", "/etc/motd", "/opt/a b"] {
        ok(s, AbsPath::new(s));
    }
    for s in [
        "etc",
        "/etc/../x",
        "/etc//x",
        "/etc/",
        "/./x",
        "/x\ny",
        "/{home}",
    ] {
        bad(s, AbsPath::new(s));
    }
    ok("run path", RunPath::new("{home}/.cache"));
    ok("run path", RunPath::new("{env:DATA}/x"));
    bad("run path", RunPath::new("{home}/../x"));
    for s in ["/data", "data", "./data", "{home}/.ssh", "."] {
        ok(s, HostPath::new(s));
    }
    for s in ["/etc/../etc", "../x", "//etc", "/etc/"] {
        bad(s, HostPath::new(s));
    }
    ok("project path", ProjectPath::new("files/app.conf"));
    for s in ["../x", "/etc/passwd", "a/../../b", "a\0b", ""] {
        bad(s, ProjectPath::new(s));
    }
    ok("device", DevicePath::new("/dev/fuse"));
    ok("device", DevicePath::new("/dev/nvidia0:/dev/nvidia1"));
    for s in [
        "/etc/shadow",
        "/dev/../etc/shadow",
        "/dev/x:/dev/y:rwm",
        "fuse",
    ] {
        bad(s, DevicePath::new(s));
    }
    ok("bind", ApptainerBind::new("/data:/data:ro"));
    for s in ["/a,/b", "/a:/b:rwx", "a:b"] {
        bad(s, ApptainerBind::new(s));
    }
}

#[test]
fn text_kinds_refuse_the_control_characters_they_cannot_hold() {
    bad("NUL in a script", BuildString::new("echo a\0b"));
    ok("ESC in a script", BuildString::new("printf '\u{1b}[1m'"));
    ok("newline in a value", BuildValue::new("a\nb\tc"));
    bad("ESC in a value", BuildValue::new("\u{1b}]0;pwned\u{7}"));
    bad("C1 CSI in a value", RunValue::new("\u{9b}31m"));
    bad("newline in a line", Line::new("a\nb"));
    bad("bidi in a line", Line::new("a\u{202e}b"));
    ok("line", Line::new("A research environment"));
    bad("step name", StepName::new("x\nRUN id"));
    ok("step name", StepName::new("compile the thing"));
    bad("text with NUL", Text::new("a\0"));
    ok("text with ESC", Text::new("\u{1b}[1mhello\u{1b}[0m\n"));
}

#[test]
fn urls_and_units() {
    ok("url", DownloadUrl::new("https://example.org/a.tar.gz"));
    ok("url", DownloadUrl::new("http://127.0.0.1:8080/x"));
    for s in [
        "ftp://example.org/a",
        "https:///a",
        "https://example.org/a b",
        "https://{user}.example.org/",
        "https://u:p@example.org/",
        "https://example.org/a\"b",
    ] {
        bad(s, DownloadUrl::new(s));
    }
    ok("index", IndexUrl::new("https://pypi.org/simple"));
    ok("address", Address::new("0.0.0.0"));
    ok("address", Address::new("::1"));
    bad("address", Address::new("localhost"));
    bad("address", Address::new("127.0.0.1 -p 22"));
    ok("size", ByteSize::new("2g"));
    bad("size", ByteSize::new("2gb"));
    ok("mode", FileMode::new("0644"));
    bad("mode", FileMode::new("0648"));
    ok("duration", Duration::new("30s"));
    bad("duration", Duration::new("30"));
}

#[test]
fn messages_escape_what_they_show() {
    let e = Name::new("a\u{1b}]0;x\u{7}").unwrap_err();
    assert!(!e.message.contains('\u{1b}'), "{}", e.message);
    assert!(e.message.contains("\\u{1b}"), "{}", e.message);
    assert_eq!(escape_controls("a\tb\u{9b}"), "a\\tb\\u{9b}");
}

#[test]
fn registry_refs() {
    for ok in [
        "ghcr.io/team/envc-cache",
        "127.0.0.1:5000",
        "localhost:5000/envc",
        "http://127.0.0.1:5000/a/b",
        "https://registry.example.org/x/",
        "[::1]:5000/x",
        "docker.io/user/cache",
    ] {
        assert!(RegistryRef::new(ok).is_ok(), "{ok}");
    }
    for bad in [
        "",
        "cache",
        "user/cache",
        "ftp://host/x",
        "ghcr.io/Team",
        "ghcr.io/team:tag",
        "ghcr.io/team@sha256:00",
        "host:99999/x",
        "host:/x",
        "user:pw@ghcr.io/x",
        "ghcr.io//x",
        "ghcr.io/x y",
        "-bad.io/x",
        "ghcr.io/x?y",
    ] {
        assert!(RegistryRef::new(bad).is_err(), "{bad}");
    }
    let r = RegistryRef::new("http://127.0.0.1:5000/team/envc/").unwrap();
    assert!(r.is_plain_http());
    assert_eq!((r.host(), r.path()), ("127.0.0.1:5000", "team/envc"));
    let r = RegistryRef::new("ghcr.io").unwrap();
    assert!(!r.is_plain_http() && !r.is_explicit_https());
    assert_eq!((r.host(), r.path()), ("ghcr.io", ""));
}
