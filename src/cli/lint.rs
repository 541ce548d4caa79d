//! `warroom lint`: checks runbooks and exits non-zero on errors.

use std::path::PathBuf;
use std::process::ExitCode;

use jiff::Timestamp;

use super::{Format, out};
use crate::config::Config;
use crate::sources::runbook_files;

/// Lints `paths` (default: the configured runbook folders), walking folders
/// recursively. Exits 1 when there are errors and 2 when nothing was found
/// to check, so a CI gate pointed at the wrong folder fails.
///
/// With `data_dir` given (`--data-dir`), the data dir's drills and
/// incidents count as exercises (STALE, relaxed drill targets); without it
/// the verdict depends on the files alone, so CI gives the same answer on
/// every machine.
pub fn run(
    config: &Config,
    paths: Vec<PathBuf>,
    format: Format,
    data_dir: bool,
) -> anyhow::Result<ExitCode> {
    let history = if data_dir {
        super::cockpit::runbook_history(config)
    } else {
        Default::default()
    };
    let named = !paths.is_empty();
    let roots = if named {
        paths
    } else {
        config.runbook_dirs.clone()
    };
    // Experiment files named directly are experiments, not runbooks.
    let runbook_roots: Vec<PathBuf> = roots
        .iter()
        .filter(|p| !(p.is_file() && super::lint_experiments::is_yaml(p)))
        .cloned()
        .collect();
    let lib = runbook_files::load(&runbook_roots);
    let experiments = super::lint_experiments::find(&roots);
    let found = lib.runbooks.len() + lib.errors.len() + experiments.len();
    let exists = |p: &std::path::Path| exists_any_case(p);
    let mut diags = crate::domain::lint::lint(
        &lib.runbooks,
        &lib.errors,
        &history,
        Timestamp::now(),
        &exists,
    );
    // Experiments name runbooks: those checked here, else the configured ones.
    let mut known = lib.clone();
    if named {
        let configured = runbook_files::load(&config.runbook_dirs);
        known.runbooks.extend(configured.runbooks);
    }
    runbook_files::add_shipped(&mut known);
    for e in &experiments {
        diags.extend(super::lint_experiments::lint(e, &known));
    }
    let errors = diags
        .iter()
        .filter(|d| d.level == crate::domain::lint::Level::Error)
        .count();
    match format {
        Format::Json => out!("{}", serde_json::to_string_pretty(&diags)?),
        Format::Md => {
            for d in &diags {
                out!("{d}");
            }
        }
    }
    if !runbook_roots.is_empty() && (experiments.is_empty() || !lib.runbooks.is_empty()) {
        let (loaded, _) =
            lib.summary(|root| !named && config.quiet_runbook_dirs.iter().any(|q| q == root));
        eprintln!("{loaded}");
    }
    let runbooks = found - experiments.len();
    let exps = match experiments.len() {
        0 => String::new(),
        n => format!(" and {n} experiment file(s)"),
    };
    eprintln!(
        "{runbooks} runbook file(s){exps} checked: {errors} error(s), {} warning(s)",
        diags.len() - errors
    );
    if found == 0 {
        eprintln!(
            "no runbooks found in {} (folders are searched recursively for .md files)",
            roots
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(ExitCode::from(2));
    }
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Whether `p` exists, letting its last part differ in case: site
/// generators lower-case page addresses, so `../kubenodenotready/` is the
/// page of `KubeNodeNotReady.md`.
fn exists_any_case(p: &std::path::Path) -> bool {
    if p.exists() {
        return true;
    }
    let (Some(dir), Some(name)) = (p.parent(), p.file_name()) else {
        return false;
    };
    let dir = if dir.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        dir
    };
    let name = name.to_string_lossy().to_lowercase();
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().to_lowercase() == name)
    })
}
