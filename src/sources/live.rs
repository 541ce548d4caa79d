//! The live source tasks. Each runs on its own, polls with a time limit, backs
//! off while its server is failing, and reports every answer or failure as a
//! message, so the UI never waits on a server.

use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::watch;

use super::alertmanager::Alertmanager;
use super::http::SourceError;
use super::prometheus::Prometheus;
use super::{MetricRequest, SourceMsg, SourceTx};
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

/// Wait before the next attempt: the interval while healthy; while the
/// server is failing, one second, then two, then four, never more than five
/// (nor more than the interval), so a server that comes back is seen within
/// a few seconds by someone looking at the cockpit. Success resets it.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return interval;
    }
    let retry = Duration::from_secs(1 << (failures - 1).min(3));
    retry.min(Duration::from_secs(5)).min(interval)
}

/// Polls alerts until the receiver is gone.
pub async fn poll_alerts(feed: AlertFeed, interval: Duration, tx: SourceTx) {
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
        if tx.send(msg).await.is_err() {
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
    tx: SourceTx,
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
        if tx.send(msg).await.is_err() {
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
    fn failing_servers_are_retried_within_seconds() {
        let s = Duration::from_secs;
        assert_eq!(backoff(s(10), 0), s(10));
        assert_eq!(backoff(s(10), 1), s(1));
        assert_eq!(backoff(s(10), 2), s(2));
        assert_eq!(backoff(s(10), 3), s(4));
        assert_eq!(backoff(s(10), 4), s(5));
        assert_eq!(backoff(s(10), 40), s(5));
        assert_eq!(
            backoff(Duration::from_millis(500), 5),
            Duration::from_millis(500)
        );
        assert_eq!(backoff(s(120), 0), s(120));
        assert_eq!(backoff(s(120), 9), s(5));
    }
}
