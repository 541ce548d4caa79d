//! The Metrics pane: which query is wanted and the latest answer for it.

use std::time::Duration;

use super::source::SourceStatus;
use crate::domain::metric::MetricData;
use crate::domain::unit::Unit;
use crate::sources::MetricRequest;

/// Time ranges the Metrics pane cycles through.
pub const RANGES: [Duration; 3] = [
    Duration::from_secs(15 * 60),
    Duration::from_secs(3600),
    Duration::from_secs(6 * 3600),
];

/// The chart and what was asked of the sources for it.
#[derive(Debug, Default)]
pub struct MetricState {
    /// The query the sources are asked for (placeholders filled).
    pub query: Option<String>,
    /// Where the query came from, for the pane: `runbook` or `alert rule`.
    pub origin: &'static str,
    /// Index into [`RANGES`].
    pub range: usize,
    /// Width of the chart in cells, as the loop measured the layout.
    pub width: u16,
    /// The request last sent to the sources.
    pub requested: Option<MetricRequest>,
    /// Drawn as a horizontal line; from the runbook's front matter.
    pub threshold: Option<f64>,
    /// What the values measure (runbook `unit:`, else guessed from the
    /// query), so they are written `500 ms` rather than a bare `0.5`.
    pub unit: Unit,
    /// The latest answer for `query`.
    pub data: Option<MetricData>,
    /// Why the latest attempt for `query` failed.
    pub error: Option<String>,
    /// Health of the metric source.
    pub status: SourceStatus,
}

impl MetricState {
    /// The chart range in force.
    pub fn range(&self) -> Duration {
        RANGES[self.range.min(RANGES.len() - 1)]
    }
}
