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
        source: String,
        result: Result<Vec<Alert>, String>,
    },
    /// The complete set of pods in scope.
    Pods {
        source: String,
        result: Result<Vec<Pod>, String>,
    },
    /// The answer to a range query; stale answers for other queries are ignored.
    Metric {
        source: String,
        query: String,
        result: Result<MetricData, String>,
    },
}
