//! The start-time scripts: POSIX `sh` that runs as root inside the container to give it the
//! mapped user, then (for one-shot containers) drops to that user and runs the command.
//!
//! They are passed as `sh -c` arguments when a container or exec starts, never baked into an
//! image, so one image serves every host user. They only need `/bin/sh` and the shell's
//! builtins: `useradd`/`groupadd` are used when present and free to do the job, and otherwise
//! entries are appended to `/etc/passwd`, `/etc/group` and `/etc/shadow` (busybox images, and
//! bases where the uid or gid is already taken, like a base with a user at 1000). Switching
//! user uses util-linux `setpriv` when the image has it, else `su` (busybox's or shadow's).
//!
//! The image's own entries are never rewritten or removed (#16.4). The rules, in order:
//! - the name exists with the mapped uid: it is the user, as it is;
//! - the name exists with another uid (`root`, or a base's `user` at 1000 when mapping 1234):
//!   the mapped user is added as `<name><uid>` (then `envc<uid>`) instead;
//! - the uid belongs to another name (a base's `ubuntu` at 1000): the mapped name is added
//!   beside it with the same uid and gid, so both names work and the base's files stay theirs;
//! - the gid is taken: the mapped user joins that group; else a group `<name>` (or
//!   `envc<gid>`) is added.
//!
//! Commands are started by uid and gid, never by name, so a renamed entry cannot change who
//! they run as.

use super::env_plan::{EnvPlan, MappedUser};

/// Where `envc run` records the pid of a command it execs, so that a signal can reach it.
pub const PID_DIR: &str = "/run/envc";

/// The fast path's wrapper: note the pid (for signal forwarding) and become the command, so
/// the command's exit status is the exec's (`sh` gives 127/126 for not found/not executable).
pub const EXEC_WRAPPER: &str = r#"echo $$ >"/run/envc/$ENVC_EXEC.pid" 2>/dev/null; exec "$@""#;

/// Keeps the environment container alive until it is stopped.
pub const KEEPALIVE: &str = r#"trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"#;

/// Quote `s` for a POSIX shell (the one quoting, `crate::escape::shell`).
pub use crate::escape::shell::quote;

const FUNCTIONS: &str = r#"
envc_field() { # FILE FIELD VALUE -> first name whose FIELD (1 or 3) is VALUE
  while IFS= read -r line; do
    n=${line%%:*}; rest=${line#*:}; rest=${rest#*:}; id=${rest%%:*}
    if [ "$2" = 1 ] && [ "$n" = "$3" ]; then printf '%s' "$n"; return 0; fi
    if [ "$2" = 3 ] && [ "$id" = "$3" ]; then printf '%s' "$n"; return 0; fi
  done <"$1"
  return 1
}
envc_uid() { # NAME -> the uid of NAME in /etc/passwd
  while IFS= read -r line; do
    n=${line%%:*}; rest=${line#*:}; rest=${rest#*:}; id=${rest%%:*}
    if [ "$n" = "$1" ]; then printf '%s' "$id"; return 0; fi
  done </etc/passwd
  return 1
}
envc_join() { # GROUP USER: add USER to GROUP's member list
  : >/etc/group.envc-new
  while IFS= read -r line; do
    n=${line%%:*}
    if [ "$n" = "$1" ]; then
      case ",${line##*:}," in
        *",$2,"*) ;;
        ",,") line="$line$2" ;;
        *) line="$line,$2" ;;
      esac
    fi
    printf '%s\n' "$line" >>/etc/group.envc-new
  done </etc/group
  cat /etc/group.envc-new >/etc/group; rm -f /etc/group.envc-new
}
envc_own() { # DIR: give DIR to the user unless it already is theirs
  [ -e "$1" ] || mkdir -p "$1"
  [ "$(stat -c %u:%g "$1" 2>/dev/null)" = "$uid:$gid" ] || chown "$uid:$gid" "$1"
}
"#;

/// The root part: the user, their home, owned mount points, sudo and the Docker group.
pub fn setup(plan: &EnvPlan) -> String {
    let mut s = String::from("set -e\n");
    s.push_str(&format!("mkdir -p {PID_DIR} && chmod 1777 {PID_DIR}\n"));
    let Some(user) = &plan.user else {
        return s;
    };
    s.push_str(FUNCTIONS);
    s.push_str(&user_lines(user));
    for dir in owned_dirs(plan, user) {
        s.push_str(&format!("envc_own {}\n", quote(&dir)));
    }
    if let Some(gid) = plan.docker_group {
        s.push_str(&format!(
            r#"dg=$(envc_field /etc/group 3 {gid}) || {{ dg=docker; envc_field /etc/group 1 docker >/dev/null && dg=envc-docker; echo "$dg:x:{gid}:" >>/etc/group; }}
envc_join "$dg" "$name"
first=$(envc_field /etc/passwd 3 "$uid") && [ "$first" != "$name" ] && envc_join "$dg" "$first"
"#
        ));
    }
    if plan.sudo {
        s.push_str(
            r#"mkdir -p /etc/sudoers.d
printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$name" >/etc/sudoers.d/envc-user
chmod 0440 /etc/sudoers.d/envc-user
"#,
        );
    }
    s
}

fn user_lines(user: &MappedUser) -> String {
    format!(
        r#"name={name}; uid={uid}; gid={gid}; home={home}; shell={shell}
[ -x "$shell" ] || shell=/bin/sh
if ! group=$(envc_field /etc/group 3 "$gid"); then
  group=$name
  envc_field /etc/group 1 "$group" >/dev/null && group=envc$gid
  if command -v groupadd >/dev/null 2>&1; then groupadd -g "$gid" "$group"
  else echo "$group:x:$gid:" >>/etc/group; fi
fi
taken=$(envc_uid "$name" || true)
if [ -n "$taken" ] && [ "$taken" != "$uid" ]; then
  name=$name$uid; taken=$(envc_uid "$name" || true)
  if [ -n "$taken" ] && [ "$taken" != "$uid" ]; then name=envc$uid; taken=$(envc_uid "$name" || true); fi
fi
if [ -z "$taken" ]; then
  if ! envc_field /etc/passwd 3 "$uid" >/dev/null && command -v useradd >/dev/null 2>&1; then
    useradd -M -N -u "$uid" -g "$gid" -d "$home" -s "$shell" "$name"
  else
    echo "$name:x:$uid:$gid::$home:$shell" >>/etc/passwd
    if [ -f /etc/shadow ] && ! envc_field /etc/shadow 1 "$name" >/dev/null; then echo "$name:*:19000:0:99999:7:::" >>/etc/shadow; fi
  fi
fi
envc_own "$home"
"#,
        name = quote(&user.name),
        uid = user.uid,
        gid = user.gid,
        home = quote(&user.home),
        shell = quote(&user.shell),
    )
}

/// Folders the user must own: volume roots marked `chown`, and the folders between the home
/// and a mount under it (the engine creates those as root, which would make `~/.cache`
/// unwritable when only `~/.cache/pip` is mounted).
fn owned_dirs(plan: &EnvPlan, user: &MappedUser) -> Vec<String> {
    let mut dirs = plan.chown.clone();
    let home = user.home.trim_end_matches('/');
    for mount in &plan.mounts {
        let Some(rest) = mount
            .target
            .strip_prefix(home)
            .and_then(|r| r.strip_prefix('/'))
        else {
            continue;
        };
        let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
        for end in 1..parts.len() {
            let dir = format!("{home}/{}", parts[..end].join("/"));
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
    }
    dirs
}

/// Post-start commands, each run by `sh -c` as root; a failure names the command.
fn post_start_lines(plan: &EnvPlan) -> String {
    plan.post_start
        .iter()
        .map(|cmd| {
            format!(
                "sh -c {} || {{ s=$?; echo \"envc: post-start command failed with status $s: \"{} >&2; exit 125; }}\n",
                quote(cmd),
                quote(cmd)
            )
        })
        .collect()
}

/// The one-shot container's script: set up as root, run post-start commands, then become the
/// user and run `"$@"` (the command, passed as separate arguments, never re-quoted).
pub fn oneshot(plan: &EnvPlan) -> String {
    let mut s = setup(plan);
    s.push_str(&post_start_lines(plan));
    s.push_str("set +e\n");
    match &plan.user {
        None => s.push_str("exec \"$@\"\n"),
        Some(_) => s.push_str(
            r#"export HOME="$home" USER="$name" LOGNAME="$name" SHELL="$shell"
if command -v setpriv >/dev/null 2>&1 && setpriv --help 2>&1 | grep -q -- --reuid; then
  exec setpriv --reuid="$uid" --regid="$gid" --init-groups -- "$@"
fi
exec su -p -s /bin/sh -c '[ "$1" = envc-arg0 ] && shift; exec "$@"' -- "$name" envc-arg0 "$@"
"#,
        ),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting() {
        assert_eq!(quote("abc/d.e"), "abc/d.e");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r#"'it'\''s'"#);
        assert_eq!(quote(""), "''");
        assert_eq!(quote("$x"), "'$x'");
    }
}
