//! `warroom lint`: checks runbooks and exits non-zero on errors.

use std::path::PathBuf;
use std::process::ExitCode;

use jiff::Timestamp;

use super::{Format, out};
use crate::config::Config;
use crate::sources::runbook_files;

/// Lints `paths` (default: the configured runbook folders).
pub fn run(config: &Config, paths: Vec<PathBuf>, format: Format) -> anyhow::Result<ExitCode> {
    let dirs = if paths.is_empty() {
        config.runbook_dirs.clone()
    } else {
        paths
    };
    let lib = runbook_files::load(&dirs);
    let found = lib.runbooks.len() + lib.errors.len();
    let diags = crate::domain::lint::lint(
        &lib.runbooks,
        &lib.errors,
        &super::cockpit::runbook_use(config),
        Timestamp::now(),
    );
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
    eprintln!(
        "{found} runbook(s) checked: {errors} error(s), {} warning(s)",
        diags.len() - errors
    );
    if found == 0 {
        eprintln!(
            "no runbooks found in {}",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
