//! Data sources. Each runs apart from the UI and reports through typed messages,
//! so a pane cannot tell the embedded demo from a live server.

pub mod alertmanager;
pub mod demo;
pub mod http;
pub mod kubernetes;
pub mod live;
pub mod prometheus;
pub mod runbook_files;

use std::time::Duration;

use crate::domain::alert::Alert;
use crate::domain::metric::MetricData;
use crate::domain::pod::Pod;

/// How many source messages may wait for the cockpit: a source that gets
/// ahead of the screen waits for it rather than filling memory.
pub const QUEUE: usize = 256;

/// The sending end every source reports through.
pub type SourceTx = tokio::sync::mpsc::Sender<SourceMsg>;

/// The bounded channel from the sources to the cockpit.
pub fn channel() -> (SourceTx, tokio::sync::mpsc::Receiver<SourceMsg>) {
    tokio::sync::mpsc::channel(QUEUE)
}

/// Which pane a source feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// The Alerts pane.
    Alerts,
    /// The Pods pane.
    Pods,
    /// The Metrics pane.
    Metrics,
}

/// What a source reports. Each message replaces the previous value of its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceMsg {
    /// The complete set of active alerts, or why it could not be fetched.
    Alerts {
        /// Which source answered, shown in the pane title.
        source: String,
        /// The alerts, or a short reason for the pane title.
        result: Result<Vec<Alert>, String>,
    },
    /// The complete set of pods in scope: replaces what was there (the
    /// initial list, a relist).
    Pods {
        /// Which source answered, shown in the pane title.
        source: String,
        /// The pods, or a short reason for the pane title.
        result: Result<Vec<Pod>, String>,
    },
    /// Pods that came, changed or went since the last message: applied in
    /// order, so a watch sends only what changed.
    PodChanges {
        /// Which source answered, shown in the pane title.
        source: String,
        /// The changes, oldest first.
        changes: Vec<crate::domain::pod::PodChange>,
    },
    /// The answer to a range query; stale answers for other queries are ignored.
    Metric {
        /// Which source answered, shown in the pane title.
        source: String,
        /// The query this answers.
        query: String,
        /// The series, or a short reason shown in the pane.
        result: Result<MetricData, String>,
    },
    /// A pod's recent events, for its details view.
    PodEvents {
        /// The pod.
        pod: kubernetes::PodRef,
        /// Oldest first, or why they could not be read.
        result: Result<Vec<kubernetes::EventLine>, String>,
    },
    /// More lines of a pod's log, for its details view.
    PodLog {
        /// The pod.
        pod: kubernetes::PodRef,
        /// New lines, or why the stream failed.
        lines: Result<Vec<String>, String>,
        /// The stream ended (not following, or the container stopped).
        done: bool,
    },
    /// The cluster in use, for the status line.
    Cluster {
        /// Kubeconfig context.
        context: String,
        /// Default namespace.
        namespace: String,
    },
    /// A source is starting: where it is and how often it will show signs
    /// of life, so its pane can say `connecting` and later `stale` honestly.
    Connecting {
        /// The pane it feeds.
        feed: Feed,
        /// Name shown in the pane title.
        source: String,
        /// Where it is, without credentials.
        address: String,
        /// How often it answers while healthy.
        every: Duration,
    },
    /// A source showed it is alive without new data (a watch's bookmark
    /// or probe): the pane stays `live`.
    Alive {
        /// The pane it feeds.
        feed: Feed,
        /// Name shown in the pane title.
        source: String,
    },
    /// Nothing is configured for this pane: not an error, just off.
    Unavailable {
        /// The pane concerned.
        feed: Feed,
        /// What to configure, in plain words.
        reason: String,
    },
    /// A runbook file changed on disk: the new version, or why it cannot be
    /// used (the cockpit keeps the last good one).
    Runbook {
        /// The file, as the library names it.
        path: std::path::PathBuf,
        /// The parsed runbook, or the problem.
        result: Result<Box<crate::domain::runbook::Runbook>, crate::domain::runbook::RunbookError>,
    },
}

/// What the Metrics pane wants charted: the query, the time range, and how many
/// columns it has to draw in (so the step fits the pane).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRequest {
    /// PromQL, placeholders already filled.
    pub query: String,
    /// How far back the chart reaches.
    pub range: Duration,
    /// Width of the chart in cells.
    pub width: u16,
}

impl MetricRequest {
    /// Two samples per cell (braille dots are two wide), never under a second.
    pub fn step(&self) -> Duration {
        let samples = u64::from(self.width.max(10)) * 2;
        Duration::from_secs(self.range.as_secs().div_ceil(samples).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_follows_range_and_width() {
        let r = |range: u64, width: u16| {
            MetricRequest {
                query: "up".into(),
                range: Duration::from_secs(range),
                width,
            }
            .step()
            .as_secs()
        };
        assert_eq!(r(3600, 60), 30);
        assert_eq!(r(3600, 120), 15);
        assert_eq!(r(900, 200), 3);
        assert_eq!(r(60, 200), 1);
        assert_eq!(r(21_600, 0), 1080);
    }
}
