//! Slurm: the environment's SIF run as a batch job (`envc submit`) or as a job step
//! (`envc run --slurm`), on nodes that have Apptainer and a shared filesystem but no engine.
//!
//! The job script ([`script`]) finds the SIF by key in the shared SIF folder, else pulls it
//! from the cache registry once under a lock, checks its digest against the one recorded at
//! submission, prints the key and digest, then runs `apptainer exec` with the run manifest's
//! settings. [`jobs`] runs `sbatch`, `srun`, `squeue` and `sacct` and keeps the job records.

pub mod jobs;
pub mod script;

pub use jobs::{JobRecord, SlurmError};
pub use script::{JobScript, wants_gpu};
