//! Data sources. Each runs apart from the UI and reports through typed messages,
//! so a pane cannot tell the embedded demo from a live server.

pub mod demo;
pub mod runbook_files;

use crate::domain::alert::Alert;
use crate::domain::metric::MetricData;
use crate::domain::pod::Pod;

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
    /// The complete set of pods in scope.
    Pods {
        /// Which source answered, shown in the pane title.
        source: String,
        /// The pods, or a short reason for the pane title.
        result: Result<Vec<Pod>, String>,
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
}
