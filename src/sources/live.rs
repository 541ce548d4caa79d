//! The live source tasks. Each runs on its own, polls with a time limit, backs
//! off while its server is failing, and reports every answer or failure as a
//! message, so the UI never waits on a server.

use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{mpsc, watch};

use super::alertmanager::Alertmanager;
use super::http::SourceError;
use super::prometheus::Prometheus;
use super::{MetricRequest, SourceMsg};
use crate::domain::alert::Alert;

/// Where alerts come from: Alertmanager when configured, else Prometheus.
#[derive(Debug, Clone)]
pub enum AlertFeed {
    /// `GET /api/v2/alerts`.
    Alertmanager(Alertmanager),
    /// `GET /api/v1/alerts`.
    Prometheus(Prometheus),
}

impl AlertFeed {
    /// Name shown in the Alerts pane title.
    pub fn name(&self) -> &'static str {
        match self {
            AlertFeed::Alertmanager(_) => "alertmanager",
            AlertFeed::Prometheus(_) => "prometheus",
        }
    }

    /// One fetch.
    pub async fn fetch(&self) -> Result<Vec<Alert>, SourceError> {
        match self {
            AlertFeed::Alertmanager(a) => a.alerts().await,
            AlertFeed::Prometheus(p) => p.alerts().await,
        }
    }
}

/// Wait before the next attempt: the interval while healthy, doubling per
/// failure (up to 4x, and not past 30 s unless the interval itself is longer)
/// while the server is failing, so a recovered server is noticed soon.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    let factor = 1u32 << failures.min(2);
    (interval * factor).min(Duration::from_secs(30).max(interval))
}

/// Polls alerts until the receiver is gone.
pub async fn poll_alerts(
    feed: AlertFeed,
    interval: Duration,
    tx: mpsc::UnboundedSender<SourceMsg>,
) {
    let mut failures = 0;
    loop {
        let result = feed.fetch().await.map_err(|e| e.to_string());
        match &result {
            Ok(_) => failures = 0,
            Err(e) => {
                failures += 1;
                tracing::warn!(source = feed.name(), "alerts: {e}");
            }
        }
        let msg = SourceMsg::Alerts {
            source: feed.name().into(),
            result,
        };
        if tx.send(msg).is_err() {
            return;
        }
        tokio::time::sleep(backoff(interval, failures)).await;
    }
}

/// Answers the Metrics pane's current request, again every `interval`, and
/// drops an answer in flight when the request changes.
pub async fn serve_metrics(
    prom: Prometheus,
    interval: Duration,
    mut want: watch::Receiver<Option<MetricRequest>>,
    tx: mpsc::UnboundedSender<SourceMsg>,
) {
    let mut failures = 0;
    loop {
        let Some(req) = want.borrow_and_update().clone() else {
            if want.changed().await.is_err() {
                return;
            }
            continue;
        };
        let fetch = prom.query_range(&req.query, Timestamp::now(), req.range, req.step());
        let result = tokio::select! {
            r = fetch => r,
            changed = want.changed() => {
                if changed.is_err() {
                    return;
                }
                continue;
            }
        };
        match &result {
            Ok(_) => failures = 0,
            // A query error is the runbook's fault, not the server's: no backoff.
            Err(
                SourceError::Api(_)
                | SourceError::Status {
                    code: 400 | 422, ..
                },
            ) => failures = 0,
            Err(e) => {
                failures += 1;
                tracing::warn!("metrics: {e}");
            }
        }
        let msg = SourceMsg::Metric {
            source: "prometheus".into(),
            query: req.query.clone(),
            result: result.map_err(|e| e.to_string()),
        };
        if tx.send(msg).is_err() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff(interval, failures)) => {}
            changed = want.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let s = Duration::from_secs;
        assert_eq!(backoff(s(10), 0), s(10));
        assert_eq!(backoff(s(10), 1), s(20));
        assert_eq!(backoff(s(10), 2), s(30));
        assert_eq!(backoff(s(10), 9), s(30));
        assert_eq!(backoff(Duration::from_millis(500), 5), s(2));
        assert_eq!(backoff(s(120), 3), s(120));
    }
}
