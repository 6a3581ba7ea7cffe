//! What `envc gc` may remove: only what no current environment, no current config (its
//! lock included) and no other project needs.
//!
//! Step images are content-addressed and shared: two projects on one base share its steps,
//! and no step image says which project made it. What does say so is a finished image's
//! repository, `envc/<name>[-<variant>]` (and `envc/<name>-<service>`). So gc in a project
//! removes that project's finished images that no current plan reaches, and the step images
//! that only those lead to (following `dev.envc.parent`). A step image reached by any kept
//! image (another project's, a current one, the image of an existing environment container)
//! stays. Step images no finished image leads to (an interrupted build's) belong to no
//! project that can be named: only `--all-projects` removes them, as it removes every
//! project's images that the current config does not reach.

use std::collections::{BTreeSet, HashMap};

use crate::plan::Key;

use super::inventory::EnvcImage;

/// Whose images may go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The finished-image repositories of this project (`envc/<name>`, its variants and
    /// services).
    Project(BTreeSet<String>),
    /// Every project on this engine (`--all-projects`).
    All,
}

impl Scope {
    fn owns(&self, image: &EnvcImage) -> bool {
        match self {
            Scope::All => true,
            Scope::Project(repos) => image.names().iter().any(|n| {
                n.rsplit_once(':')
                    .is_some_and(|(repo, _)| repos.contains(repo))
            }),
        }
    }
}

/// What must stay whatever the scope.
#[derive(Debug, Clone, Default)]
pub struct Needed {
    /// Every step key of every current plan (every variant, with the lock applied).
    pub keys: BTreeSet<Key>,
    /// Image IDs existing environment containers (any project) were started from.
    pub image_ids: BTreeSet<String>,
}

/// The images to remove, newest first (children before their parents), and how many step
/// images only `--all-projects` would remove.
#[derive(Debug)]
pub struct Selection<'a> {
    pub doomed: Vec<&'a EnvcImage>,
    pub orphans_outside_scope: usize,
}

/// Select what gc removes from `images` (newest first): in `scope`, not `needed`, except
/// the `keep` newest finished images among them.
pub fn select<'a>(
    images: &'a [EnvcImage],
    needed: &Needed,
    scope: &Scope,
    keep: usize,
) -> Selection<'a> {
    let by_key: HashMap<Key, &EnvcImage> = images
        .iter()
        .filter_map(|i| i.key.map(|k| (k, i)))
        .collect();
    let mut kept_roots: Vec<&EnvcImage> = Vec::new();
    let mut doomed_roots: Vec<&EnvcImage> = Vec::new();
    let mut spared = 0;
    for image in images {
        let needed_here = image.key.is_some_and(|k| needed.keys.contains(&k))
            || needed.image_ids.contains(&image.id);
        let finished = !image.names().is_empty();
        // Needed, or another project's finished image: it and its chain stay.
        if needed_here || (finished && !scope.owns(image)) {
            kept_roots.push(image);
        } else if finished && spared < keep {
            spared += 1;
            kept_roots.push(image);
        } else if finished {
            doomed_roots.push(image);
        }
    }
    let kept = ancestors(&kept_roots, &by_key);
    let reached_by_doomed = ancestors(&doomed_roots, &by_key);
    let mut doomed = Vec::new();
    let mut orphans_outside_scope = 0;
    for image in images {
        if kept.contains(image.id.as_str()) {
            continue;
        }
        if reached_by_doomed.contains(image.id.as_str()) || *scope == Scope::All {
            doomed.push(image);
        } else {
            orphans_outside_scope += 1;
        }
    }
    Selection {
        doomed,
        orphans_outside_scope,
    }
}

/// The IDs of `roots` and of every image their parent chains reach.
fn ancestors<'a>(
    roots: &[&'a EnvcImage],
    by_key: &HashMap<Key, &'a EnvcImage>,
) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    for root in roots {
        let mut next = Some(*root);
        while let Some(image) = next {
            if !seen.insert(image.id.as_str()) {
                break;
            }
            next = image.parent.and_then(|p| by_key.get(&p).copied());
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(key: u8, parent: Option<u8>, tags: &[&str], created: i64) -> EnvcImage {
        EnvcImage {
            id: format!("sha256:{key}"),
            key: Some(Key([key; 32])),
            parent: parent.map(|p| Key([p; 32])),
            kind: "run".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            size: 1,
            created,
        }
    }

    fn ids(selection: &Selection<'_>) -> Vec<String> {
        selection.doomed.iter().map(|i| i.id.clone()).collect()
    }

    /// Issue 15, class 9: gc in one project reached every project's images.
    #[test]
    fn a_project_removes_only_its_own_and_what_only_they_need() {
        // 1: a shared base step; A's old image 2 and current 3; B's image 4 on the base;
        // 5: an interrupted build's step, in no finished image's chain.
        let images = vec![
            image(5, Some(1), &["envc/step:5"], 50),
            image(4, Some(1), &["envc/step:4", "envc/b:4"], 40),
            image(3, Some(1), &["envc/step:3", "envc/a:3"], 30),
            image(2, Some(6), &["envc/step:2", "envc/a:2"], 20),
            image(6, Some(1), &["envc/step:6"], 15),
            image(1, None, &["envc/step:1"], 10),
        ];
        let needed = Needed {
            keys: BTreeSet::from([Key([3; 32]), Key([1; 32])]),
            image_ids: BTreeSet::new(),
        };
        let scope = Scope::Project(BTreeSet::from(["envc/a".to_owned()]));
        let selection = select(&images, &needed, &scope, 0);
        assert_eq!(ids(&selection), vec!["sha256:2", "sha256:6"]);
        assert_eq!(selection.orphans_outside_scope, 1);
        // A running environment's image stays even when the config moved on.
        let running = Needed {
            image_ids: BTreeSet::from(["sha256:2".to_owned()]),
            ..needed.clone()
        };
        assert!(ids(&select(&images, &running, &scope, 0)).is_empty());
        // `--keep 1` spares A's newest unreachable finished image.
        assert!(ids(&select(&images, &needed, &scope, 1)).is_empty());
        // `--all-projects`: B's image and the orphan go too, the shared base stays.
        let all = select(&images, &needed, &Scope::All, 0);
        assert_eq!(
            ids(&all),
            vec!["sha256:5", "sha256:4", "sha256:2", "sha256:6"]
        );
    }
}
