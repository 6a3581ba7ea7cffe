//! Supply chain (#18): `envc sbom`, `envc provenance` and `envc verify`'s installed = locked
//! and document checks, against a real engine build and the ecosystem's own checkers
//! (pyspdxtools, ntia-checker, cyclonedx-python-lib, in-toto-attestation; `scripts/setup`
//! installs them into `.tools/venv`).

mod checkers;
mod documents;
mod drift;
