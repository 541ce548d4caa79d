//! `warroom export`: the postmortem draft of an incident.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::Format;
use crate::config::Config;
use crate::domain::export;
use crate::journal::Store;

/// With `--strict`: lines of the journal could not be read, so the record
/// the draft tells is incomplete.
pub const GAPS: u8 = 3;

/// With `--strict`: a drill or game-day recorded no action item, though an
/// exercise exists to produce at least one (checked after [`GAPS`]).
pub const NO_ACTION_ITEM: u8 = 4;

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
    let template = match template {
        Some(t) => crate::bounded::read_to_string(&t, crate::bounded::DOCUMENT_BYTES)
            .map_err(|e| anyhow::anyhow!("{}: {e}", t.display()))?,
        None => export::DEFAULT_TEMPLATE.to_string(),
    };
    // The journal is read twice, one event at a time, and the draft is
    // written as it is made: a 100,000-event incident never sits in memory.
    let mut ordered = store.ordered(id)?;
    let (seq, declaration) = ordered.declaration()?;
    let mut collect = export::Collect::new(&declaration, seq)?;
    let warnings = ordered.for_each(|seq, e| collect.feed(seq, e));
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let gaps = export::gaps(&warnings, &path);
    let (inc, mut report) = export::finish(collect, &config.matrix);
    report.gaps = gaps.clone();
    // A journal that never recorded its main metric (resolved with
    // Prometheus out of reach, or not resolved yet) gets it from
    // Prometheus now, else from the charts pinned of it.
    if report.main_metric.is_none() {
        report.main_metric = super::main_metric::find(config, &inc, &report);
    }
    // Charts as SVG files beside the draft; to standard output the draft
    // says they were skipped.
    if let (Some(out), Format::Md) = (&output, format) {
        crate::draft::pictures(&mut report, &inc, out, &store.perms())?;
    }
    let write = |w: &mut dyn Write| -> std::io::Result<Vec<String>> {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
        let unknown = match format {
            Format::Md => {
                let unknown = export::write_markdown(&mut w, &inc, &report, &template)?;
                w.write_all(export::gaps_section(&gaps).as_bytes())?;
                unknown
            }
            Format::Json => {
                export::write_json(&mut w, &report)?;
                Vec::new()
            }
        };
        w.flush()?;
        Ok(unknown)
    };
    let unknown = match &output {
        // A postmortem draft may quote what responders typed: only the
        // user (or the data dir's group) reads it.
        Some(out) => store
            .perms()
            .create_truncated(out)
            .and_then(|mut f| write(&mut f))
            .map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?,
        None => match write(&mut std::io::stdout().lock()) {
            Ok(u) => u,
            // A reader that stopped reading (`| head`) is not an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Vec::new(),
            Err(e) => return Err(e.into()),
        },
    };
    for name in &unknown {
        eprintln!(
            "warning: the template asks for {{{{{name}}}}}, which export does not fill (it knows {})",
            export::PLACEHOLDERS.join(", ")
        );
    }
    let no_action = report
        .exercise
        .as_ref()
        .is_some_and(|x| x.action_items_missing);
    if no_action {
        eprintln!(
            "warning: this exercise has no action item; an exercise must produce at least one, even a passing one (`:action` in the cockpit)"
        );
    }
    if strict && !gaps.is_empty() {
        eprintln!("export: {} gap(s) in the record (--strict)", gaps.len());
        return Ok(ExitCode::from(GAPS));
    }
    if strict && no_action {
        eprintln!("export: the exercise has no action item (--strict)");
        return Ok(ExitCode::from(NO_ACTION_ITEM));
    }
    Ok(ExitCode::SUCCESS)
}
