//! Issue 15: envc must be safe to run on a config it did not write. One file per class of
//! attack; each test starts from the hostile input and asserts the safe outcome.

mod dry_run_quoting;
mod injection;
mod secrets_in_images;
