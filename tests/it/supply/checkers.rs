//! The independent checkers, run from `.tools/venv`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{repo_root, require};

/// The venv's Python with the checkers, when `scripts/setup` installed them.
pub fn python() -> Option<PathBuf> {
    let python = repo_root().join(".tools/venv/bin/python");
    let ok = python.is_file()
        && Command::new(&python)
            .args([
                "-c",
                "import spdx_tools, ntia_conformance_checker, cyclonedx.validation.json, in_toto_attestation",
            ])
            .status()
            .is_ok_and(|s| s.success());
    require("the SBOM checkers in .tools/venv (run scripts/setup)", ok).then_some(python)
}

fn tool(name: &str) -> PathBuf {
    repo_root().join(".tools/venv/bin").join(name)
}

/// Run `script` with `python` on `file`; fail the test, saying `what`, when it fails.
fn python_check(python: &Path, script: &str, file: &Path, what: &str) -> Output {
    let out = Command::new(python)
        .args(["-c", script])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{what}: {}", describe(&out));
    out
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// SPDX's validator accepts the file.
pub fn pyspdxtools(file: &Path) {
    let out = Command::new(tool("pyspdxtools"))
        .arg("-i")
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "pyspdxtools: {}", describe(&out));
}

/// The NTIA minimum elements are present.
pub fn ntia(file: &Path) {
    let out = Command::new(tool("ntia-checker"))
        .arg(file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("Conformant: True"),
        "ntia-checker: {}",
        describe(&out)
    );
}

/// CycloneDX's own strict validator (the official 1.5 JSON schema) accepts the file.
pub fn cyclonedx_strict(python: &Path, file: &Path) {
    let script = r#"
import sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
error = JsonStrictValidator(SchemaVersion.V1_5).validate_str(open(sys.argv[1]).read())
if error is not None:
    print(error)
    sys.exit(1)
"#;
    python_check(python, script, file, "cyclonedx strict");
}

/// The in-toto attestation library decodes the statement and its SLSA v1 predicate (unknown
/// fields refused) and validates both; prints the subject digests, one per line.
pub fn in_toto(python: &Path, file: &Path) -> Vec<String> {
    let script = r#"
import json, sys
from google.protobuf import json_format
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
data = json.load(open(sys.argv[1]))
pb = json_format.Parse(json.dumps(data), statement_pb2.Statement())
Statement.copy_from_pb(pb).validate()
assert pb.predicate_type == "https://slsa.dev/provenance/v1", pb.predicate_type
prov = json_format.ParseDict(data["predicate"], provenance_pb2.Provenance())
assert prov.build_definition.build_type, "buildType"
assert prov.run_details.builder.id, "builder.id"
for s in pb.subject:
    print(s.digest["sha256"])
"#;
    let out = python_check(python, script, file, "in-toto");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}
