//! The one identity a command runs as: name, uid, gid and home, resolved once from the
//! config's `run.user` and the host's facts, before anything else is filled.
//!
//! Every `{user}`, `{uid}`, `{gid}` and `{home}` of the run side is filled from it (the
//! per-user cache volume, env, targets, post-start commands, services), so the volume a
//! command sees is named after the user it runs as, not after `$USER`. Only host paths (a bind
//! mount's source, a persistent cache's host folder) take `{home}` from the host, since they
//! name the host's files.
//!
//! A mapped user is never called `root`: host root running envc with `USER=root` and a
//! `fixed` uid gets `user<uid>`, so the image's root entry is never touched (the start-up
//! script's rules for the image's own entries are in [`super::user_script`]).

use std::path::PathBuf;

use super::host::HostFacts;
use super::resolve::{MappedUser, ResolveError};
use crate::spec::model::{RunSpec, UserMode};

/// Who the command runs as, and the facts the run side's placeholders are filled with.
pub struct Identity {
    /// `None`: the command runs as root.
    pub user: Option<MappedUser>,
    /// The host's facts with the user fields replaced by this identity.
    pub facts: HostFacts,
}

/// Resolve `run.user` against the host (`run.user.name` and `.home` are filled with the
/// host's facts: they define the identity).
pub fn resolve(run: &RunSpec, facts: &HostFacts) -> Result<Identity, ResolveError> {
    let fill = |s: &crate::spec::model::RunString| facts.fill(s.as_str());
    let (uid, gid, default_name) = match run.user.mode {
        UserMode::Root => (0, 0, "root".to_owned()),
        UserMode::Fixed => {
            let uid = run.user.uid.ok_or(ResolveError::FixedWithoutUid)?;
            (uid, run.user.gid.unwrap_or(uid), "envc".to_owned())
        }
        UserMode::Host => (facts.uid, facts.gid, facts.user.clone()),
    };
    let mut name = match &run.user.name {
        Some(n) if uid != 0 => fill(n)?,
        _ if uid == 0 => "root".to_owned(),
        _ => default_name,
    };
    if uid != 0 && name == "root" {
        name = format!("user{uid}");
    }
    let home = match &run.user.home {
        Some(h) => fill(h)?,
        None if uid == 0 => "/root".to_owned(),
        None => format!("/home/{name}"),
    };
    let inside = HostFacts {
        user: name.clone(),
        uid,
        gid,
        home: PathBuf::from(&home),
        ..facts.clone()
    };
    let user = (uid != 0).then(|| MappedUser {
        name,
        uid,
        gid,
        home,
        shell: run.user.shell.clone(),
    });
    Ok(Identity {
        user,
        facts: inside,
    })
}
