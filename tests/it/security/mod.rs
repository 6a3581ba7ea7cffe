mod dry_run_quoting;
mod injection;
mod secrets_in_images;
