//! Entering environments: `envc up`, `run`, `shell`, `down` and `status` from the run manifest.
//!
//! `host` reads the host facts placeholders stand for; `env_plan` makes a manifest concrete
//! for this host ([`EnvPlan`]: names, mounts, env, user); `user_script` is the start-time
//! shell that maps the host user into the container (never baked into an image);
//! `container_config` turns a plan into engine requests and `dry_run` into `docker`
//! commands; `lifecycle` starts and stops environments; `session` relays a command's streams
//! and signals; `evaluated` caches the evaluated manifest so that `envc run` stays as cheap
//! as `docker exec`.

pub mod apptainer;
pub mod container_config;
pub mod dry_run;
pub mod env_lock;
pub mod env_plan;
pub mod error;
pub mod evaluated;
pub mod host;
pub mod identity;
pub mod lifecycle;
pub mod session;
pub mod terminal;
pub mod units;
pub mod user_script;

pub use env_plan::{EnvPlan, resolve};
pub use error::RunError;
pub use evaluated::Evaluated;
pub use host::HostFacts;
