//! The main metric of an incident whose journal never recorded it (it was
//! resolved with Prometheus out of reach, or is not resolved yet): fetched
//! from Prometheus at export time when it answers, else joined from the
//! charts pinned of it. A recorded one always wins: the same journal gives
//! the same draft.

use std::time::Duration;

use jiff::Timestamp;

use crate::config::Config;
use crate::domain::export::Report;
use crate::domain::export::evidence::MainMetric;
use crate::domain::incident::Incident;
use crate::domain::incident::evidence::{MAX_POINTS, PinnedChart, window};
use crate::domain::placeholder::fill_string;
use crate::domain::unit::Unit;
use crate::sources::http::Http;
use crate::sources::prometheus::Prometheus;

/// The incident's runbook query with its alert's labels filled in, with
/// the runbook's threshold and unit.
fn runbook_query(config: &Config, inc: &Incident) -> Option<(String, Option<f64>, String)> {
    let id = &inc.runbook.as_ref()?.id;
    let library = crate::sources::runbook_files::load(&config.runbook_dirs);
    let rb = library.get(id)?;
    let query = fill_string(rb.meta.query.as_deref()?, &inc.alert.labels);
    let unit = Unit::resolve(rb.meta.unit.as_deref(), Some(&query));
    Some((query, rb.meta.threshold, unit.to_string()))
}

/// Asks Prometheus for `query` over the incident's window.
fn fetch(
    config: &Config,
    inc: &Incident,
    (query, threshold, unit): &(String, Option<f64>, String),
) -> Result<Option<PinnedChart>, String> {
    let Some(ep) = &config.prometheus else {
        return Ok(None);
    };
    let (start, end) = window(inc, Timestamp::now());
    let seconds = (end.as_second() - start.as_second()).max(1) as u64;
    let range = Duration::from_secs(seconds);
    let step = Duration::from_secs((seconds / MAX_POINTS as u64).max(1));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let prom = Prometheus::new(Http::new(ep.clone()).map_err(|e| e.to_string())?);
    let data = runtime
        .block_on(prom.query_range(query, end, range, step))
        .map_err(|e| format!("{}: {e}", ep.display_url()))?;
    Ok(PinnedChart::of(&data, seconds, *threshold, unit))
}

/// The main metric for the draft, or `None` when nothing says what it is.
pub fn find(config: &Config, inc: &Incident, report: &Report) -> Option<MainMetric> {
    let pinned: Vec<&PinnedChart> = report
        .evidence
        .iter()
        .filter_map(|r| r.chart.as_ref())
        .collect();
    let wanted = runbook_query(config, inc).or_else(|| {
        pinned
            .first()
            .map(|c| (c.query.clone(), c.threshold, c.unit.clone()))
    });
    if let Some(wanted) = &wanted {
        match fetch(config, inc, wanted) {
            Ok(Some(chart)) => {
                return Some(MainMetric::from(
                    &chart,
                    "fetched from Prometheus at export time (the journal holds no record of it)",
                ));
            }
            Ok(None) => {}
            Err(e) => eprintln!("warning: the main metric could not be fetched: {e}"),
        }
    }
    // The pinned charts of the main query, else of the first one pinned.
    let same: Vec<&PinnedChart> = pinned
        .iter()
        .copied()
        .filter(|c| wanted.as_ref().is_some_and(|w| w.0 == c.query))
        .collect();
    let joined = PinnedChart::joined(&same).or_else(|| PinnedChart::joined(&pinned))?;
    Some(MainMetric::from(
        &joined,
        "joined from the charts pinned during the incident (the journal holds no record of it)",
    ))
}
