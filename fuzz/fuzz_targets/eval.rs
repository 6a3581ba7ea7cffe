//! Fuzz target: parse and evaluate arbitrary text with a step limit.
//!
//! Whatever the input, `eval_expr` must return (a value or an error): no panic, no stack
//! overflow, no hang. `max_steps` bounds the work of a terminating-looking but huge
//! evaluation; libFuzzer's `-timeout` catches anything that still runs away. The base
//! folder is an empty temporary folder, which is also the root, so imports and reads can
//! only fail.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

static BASE: OnceLock<PathBuf> = OnceLock::new();

fn base() -> &'static PathBuf {
    BASE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("envc-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the fuzz base folder");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let opts = envc::lang::EvalOptions {
        root: base().clone(),
        max_steps: Some(200_000),
        // Far below the machine: a fuzz input that allocates without bound is an error.
        max_memory: Some(256 << 20),
    };
    let _ = envc::lang::eval_expr(text, base(), &opts);
});
