//! Node.js projects (`package.json`): Debian's `nodejs` and `npm`. The `engines.node`
//! range is reported, since Debian's Node is one fixed version per release.

use crate::init::draft::{Draft, Origin, short};
use crate::init::files::Project;

pub fn detect(project: &Project, draft: &mut Draft) {
    let rel = "package.json";
    let origin = Origin::new(rel, None);
    let Some(text) = super::read_text(project, draft, rel) else {
        return;
    };
    let doc: serde_json::Value = match serde_json::from_str(&text) {
        Ok(d) => d,
        Err(e) => {
            draft.skip(&origin, format!("not read: {}", short(&e.to_string())));
            return;
        }
    };
    draft.sources.push(rel.into());
    draft.add_apt(&origin, "nodejs");
    draft.add_apt(&origin, "npm");
    if let Some(range) = doc.pointer("/engines/node").and_then(|v| v.as_str()) {
        draft.skip(
            &origin,
            format!(
                "`engines.node` `{}`: Debian trixie's nodejs is version 20; check it fits",
                short(range)
            ),
        );
    }
    draft.skip(
        &origin,
        "npm dependencies are not installed into the image (run `npm ci` in the environment)",
    );
}
