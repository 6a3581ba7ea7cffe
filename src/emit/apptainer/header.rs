//! The `.def` header: the bootstrap agent and where the base comes from.

use std::fmt::Write as _;

use crate::escape::Unrepresentable;
use crate::escape::deffile::header_value;
use crate::plan::StepKind;
use crate::plan::step::BaseStep;

/// The header lines for the base step `base`.
pub fn bootstrap(base: &StepKind) -> Result<String, Unrepresentable> {
    let mut out = String::new();
    let field = "the base image";
    match base {
        StepKind::Base(BaseStep::Image {
            reference,
            pinned: Some(pinned),
        }) if super::super::is_local_image_id(pinned) => {
            // No registry has it: Apptainer takes it from the local engine.
            out.push_str("Bootstrap: docker-daemon\n");
            let _ = writeln!(out, "From: {}", header_value(field, reference)?);
        }
        StepKind::Base(BaseStep::Image { reference, pinned }) => {
            out.push_str("Bootstrap: docker\n");
            let from = pinned.as_deref().unwrap_or(reference);
            let _ = writeln!(out, "From: {}", header_value(field, from)?);
        }
        StepKind::Base(BaseStep::Debootstrap {
            suite,
            mirror,
            include,
            ..
        }) => {
            out.push_str("Bootstrap: debootstrap\n");
            let _ = writeln!(out, "OSVersion: {}", header_value("the suite", suite)?);
            let _ = writeln!(out, "MirrorURL: {}", header_value("the mirror", mirror)?);
            if !include.is_empty() {
                let packages: Result<Vec<String>, _> = include
                    .iter()
                    .map(|p| header_value("an included package", p))
                    .collect();
                let _ = writeln!(out, "Include: {}", packages?.join(" "));
            }
        }
        StepKind::Base(BaseStep::Archive { path, .. }) => {
            out.push_str("Bootstrap: docker-archive\n");
            let _ = writeln!(out, "From: {}", header_value("the base archive", path)?);
        }
        _ => {}
    }
    Ok(out)
}
