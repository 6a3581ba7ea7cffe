//! C and C++ projects: `CMakeLists.txt` brings CMake and a compiler toolchain, a `Makefile`
//! the toolchain and `make`.

use crate::init::draft::{Draft, Origin};
use crate::init::files::Project;

pub fn detect(project: &Project, draft: &mut Draft) {
    if project.has("CMakeLists.txt") {
        let origin = Origin::new("CMakeLists.txt", None);
        draft.sources.push("CMakeLists.txt".into());
        for p in ["build-essential", "cmake", "ninja-build", "pkg-config"] {
            draft.add_apt(&origin, p);
        }
    }
    for name in ["Makefile", "GNUmakefile", "makefile"] {
        if project.has(name) {
            let origin = Origin::new(name, None);
            draft.sources.push(name.into());
            for p in ["build-essential", "make"] {
                draft.add_apt(&origin, p);
            }
            break;
        }
    }
}
