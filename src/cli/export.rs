//! `warroom export`: the postmortem draft of an incident.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Format, out_str};
use crate::config::Config;
use crate::domain::export;
use crate::journal::Store;

/// Writes the draft of `id` to `output` or standard output.
pub fn run(
    config: &Config,
    id: &str,
    output: Option<PathBuf>,
    template: Option<PathBuf>,
    (format, strict): (Format, bool),
) -> anyhow::Result<ExitCode> {
    super::data_dir_exists(config)?;
    let store = Store::new(&config.data_dir);
    let path = store.path(id)?;
    if !path.exists() {
        anyhow::bail!(
            "no incident '{id}' in {} (`warroom list` shows them)",
            store.dir().display()
        );
    }
    let loaded = store.load(id)?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let gaps = export::gaps(&loaded.warnings, &path);
    let template = match template {
        Some(t) => crate::bounded::read_to_string(&t, crate::bounded::DOCUMENT_BYTES)
            .map_err(|e| anyhow::anyhow!("{}: {e}", t.display()))?,
        None => export::DEFAULT_TEMPLATE.to_string(),
    };
    let md = match format {
        Format::Md => {
            let mut r = export::render(&loaded.events, &template, &config.matrix)?;
            r.text.push_str(&export::gaps_section(&gaps));
            for name in &r.unknown {
                eprintln!(
                    "warning: the template asks for {{{{{name}}}}}, which export does not fill (it knows {})",
                    export::PLACEHOLDERS.join(", ")
                );
            }
            r.text
        }
        Format::Json => export::json_with_gaps(&loaded.events, &config.matrix, gaps.clone())?,
    };
    match output {
        Some(out) => {
            // A postmortem draft may quote what responders typed: only the
            // user (or the data dir's group) reads it.
            store
                .perms()
                .write(&out, md.as_bytes())
                .map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?
        }
        None => out_str(&md),
    }
    if strict && !gaps.is_empty() {
        eprintln!("export: {} gap(s) in the record (--strict)", gaps.len());
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}
