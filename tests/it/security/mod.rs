//! Issue 15: envc run on a config it did not write. Each test starts from the hostile input
//! and asserts the safe outcome.

mod audit_host_reach;
mod config_file;
mod control_chars;
mod dry_run_quoting;
mod engine_names;
mod gc_scope;
mod host_command_fields;
mod injection;
mod interrupted;
mod lock_check;
mod path_escape;
mod secrets_in_images;
mod state_files;
