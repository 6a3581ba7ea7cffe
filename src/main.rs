//! The `envc` binary: parse arguments, run the library, turn the result into an exit code.

fn main() -> std::process::ExitCode {
    envc::cli::main()
}

/// The evaluator allocates many small, short-lived objects (thunks, frames); mimalloc
/// serves them markedly faster than the system allocator.
#[global_allocator]
/// `Accounting` counts the evaluation thread's allocations against its memory ceiling.
static GLOBAL: envc::lang::budget::Accounting<mimalloc::MiMalloc> =
    envc::lang::budget::Accounting(mimalloc::MiMalloc);
