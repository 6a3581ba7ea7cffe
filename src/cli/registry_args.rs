//! The cache registry flags every registry command shares: `--cache-registry REF` and
//! `--insecure`. The flag wins over `ENVC_CACHE_REGISTRY`, which wins over the config's
//! `cache.registry` ([`crate::registry::resolve`]).

use clap::Args;

use crate::exit::Report;
use crate::registry::Registry;
use crate::spec::Spec;
use crate::spec::model::RegistryRef;

/// Which cache registry to use.
#[derive(Debug, Clone, Default, Args)]
pub struct RegistryArgs {
    /// The cache registry, `HOST[:PORT][/PATH]` (HTTPS) or `http://HOST[:PORT][/PATH]`
    /// (default: `ENVC_CACHE_REGISTRY`, else the config's `cache.registry`).
    #[arg(long, value_name = "REF", value_parser = parse_registry)]
    pub cache_registry: Option<RegistryRef>,
    /// Talk plain HTTP to the cache registry (never a fallback: only when asked for).
    #[arg(long)]
    pub insecure: bool,
}

fn parse_registry(text: &str) -> Result<RegistryRef, String> {
    RegistryRef::new(text).map_err(|e| match e.help {
        Some(help) => format!("{}\n  help: {help}", e.message),
        None => e.message,
    })
}

impl RegistryArgs {
    /// The cache registry, when one is set anywhere.
    pub fn resolve(&self, spec: &Spec) -> Result<Option<Registry>, Report> {
        Ok(crate::registry::resolve(
            self.cache_registry.as_ref(),
            self.insecure,
            spec,
        )?)
    }

    /// The cache registry, which must be set.
    pub fn require(&self, spec: &Spec) -> Result<Registry, Report> {
        Ok(crate::registry::target::require(
            self.cache_registry.as_ref(),
            self.insecure,
            spec,
        )?)
    }
}

/// A runtime for the registry commands (uploads and downloads run side by side).
pub fn runtime() -> Result<tokio::runtime::Runtime, Report> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Report::environment(miette::miette!("cannot start the async runtime: {e}")))
}

/// When a cache registry is set (env or config), pull the SIF of `loaded` from it; a
/// registry that fails or refuses its entry is reported, and the caller builds instead.
pub fn pull_sif_before_building(loaded: &crate::spec::LoadedSpec) -> Result<(), Report> {
    let Some(registry) = RegistryArgs::default().resolve(&loaded.spec)? else {
        return Ok(());
    };
    let plan = super::build::plan_for_build(loaded, false)?.plan;
    let pulled = runtime()?.block_on(crate::registry::ops::pull(
        crate::registry::ops::PullRequest {
            plan: &plan,
            registry: &registry,
            docker: false,
            sif: true,
        },
    ));
    match pulled {
        Ok(report) => {
            if let Some(Some(sif)) = report.sif {
                eprintln!(
                    "pulled `{}` from `{registry}` ({}), files match {}",
                    sif.path.display(),
                    sif.digest,
                    sif.rootfs
                );
            }
        }
        Err(e) => eprintln!(
            "warning: no SIF from the cache registry `{registry}`, building it: {}",
            crate::error_chain::error_chain(&e)
        ),
    }
    Ok(())
}

/// What `push` and `pull` start from: the loaded config, which targets to move, the plan of
/// the current key and the registry to use.
pub struct RegistryJob {
    pub loaded: crate::spec::LoadedSpec,
    pub plan: crate::plan::Plan,
    pub registry: Registry,
    pub docker: bool,
    pub sif: bool,
}

impl RegistryJob {
    pub fn prepare(
        config: &super::config_args::ConfigArgs,
        registry: &RegistryArgs,
        target: Option<super::build_sif::TargetArg>,
    ) -> Result<RegistryJob, Report> {
        use super::build_sif::TargetArg;
        let loaded = config.load()?;
        let targets = super::targets::to_build(&loaded.spec, target, &loaded.config)?;
        let plan = super::build::plan_for_build(&loaded, false)?.plan;
        let registry = registry.require(&loaded.spec)?;
        Ok(RegistryJob {
            docker: targets.contains(&TargetArg::Docker),
            sif: targets.contains(&TargetArg::Apptainer),
            loaded,
            plan,
            registry,
        })
    }
}
