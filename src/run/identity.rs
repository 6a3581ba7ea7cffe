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

use super::env_plan::{MappedUser, ResolveError};
use super::host::HostFacts;
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn host(user: &str, uid: u32) -> HostFacts {
        HostFacts {
            user: user.into(),
            uid,
            gid: uid,
            home: PathBuf::from(if uid == 0 { "/root" } else { "/home/host" }),
            project: "/src/p".into(),
            project_slug: super::super::host::project_slug(Path::new("/src/p")),
            variant: None,
        }
    }

    fn run(user: serde_json::Value) -> RunSpec {
        serde_json::from_value(json!({ "user": user })).unwrap()
    }

    #[test]
    fn host_root_with_a_fixed_uid_is_never_called_root() {
        let id = resolve(
            &run(json!({ "mode": "fixed", "uid": 1000, "name": "{user}" })),
            &host("root", 0),
        )
        .unwrap();
        let user = id.user.unwrap();
        assert_eq!(
            (user.name.as_str(), user.uid, user.gid),
            ("user1000", 1000, 1000)
        );
        assert_eq!(user.home, "/home/user1000");
        assert_eq!(
            id.facts.fill("c-{user}-{uid}:{home}").unwrap(),
            "c-user1000-1000:/home/user1000"
        );
    }

    #[test]
    fn host_mode_takes_the_host_user_and_root_runs_as_root() {
        let id = resolve(&run(json!({})), &host("ada", 1234)).unwrap();
        assert_eq!(id.user.unwrap().name, "ada");
        assert_eq!(id.facts.fill("{home}").unwrap(), "/home/ada");
        for (user, uid) in [(json!({ "mode": "root" }), 1234), (json!({}), 0)] {
            let id = resolve(&run(user), &host("root", uid)).unwrap();
            assert!(id.user.is_none());
            assert_eq!(
                id.facts.fill("{user}:{uid}:{home}").unwrap(),
                "root:0:/root"
            );
        }
    }

    #[test]
    fn a_config_naming_its_user_root_gets_a_non_root_name() {
        let id = resolve(
            &run(json!({ "mode": "fixed", "uid": 4321, "name": "root", "home": "/root" })),
            &host("ada", 1234),
        )
        .unwrap();
        let user = id.user.unwrap();
        assert_eq!((user.name.as_str(), user.uid), ("user4321", 4321));
    }
}
