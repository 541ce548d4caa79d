//! Whether the cluster behind a pod watch is alive. The watcher hides its
//! bookmarks, and a quiet namespace sends nothing for hours, so silence
//! alone says nothing: a cheap request (`GET /version`) every few seconds
//! tells a healthy quiet watch from a frozen server. Reconnects are retried
//! within seconds, so a server that comes back is seen soon.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use kube::runtime::utils::Backoff;

use super::{Kube, describe};

/// How often the cluster is asked whether it is alive, by default.
pub const PROBE_EVERY: Duration = Duration::from_secs(10);

/// How long a probe may take before the server counts as not answering.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// After a failed probe, the next one comes this soon.
const RETRY: Duration = Duration::from_secs(2);

/// The watch's reconnect delays: half a second, doubling, never more than
/// three seconds; reset once the watch works again.
#[derive(Debug, Default)]
pub struct Quick {
    failures: u32,
}

impl Iterator for Quick {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let delay = Duration::from_millis(500 << self.failures.min(3));
        self.failures = self.failures.saturating_add(1);
        Some(delay.min(Duration::from_secs(3)))
    }
}

impl Backoff for Quick {
    fn reset(&mut self) {
        self.failures = 0;
    }
}

/// What the watch has shown of its own health.
#[derive(Debug, Default)]
pub struct Health {
    listed: bool,
    failed_at: Option<tokio::time::Instant>,
}

/// A watch with no failure for this long is working (its reconnects come
/// at least every three seconds while it fails).
const STEADY: Duration = Duration::from_secs(4);

impl Health {
    /// The pods were listed.
    pub fn listed(&mut self) {
        self.listed = true;
        self.failed_at = None;
    }

    /// The watch failed (it reconnects by itself).
    pub fn failed(&mut self) {
        self.failed_at = Some(tokio::time::Instant::now());
    }

    /// Listed, and no failure lately.
    pub fn steady(&self) -> bool {
        self.listed && self.failed_at.is_none_or(|t| t.elapsed() > STEADY)
    }
}

type Request = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// The periodic probe. Its request survives being raced against the
/// watch's events: a probe in flight is resumed, not started again.
pub struct Probe {
    kube: Kube,
    due: tokio::time::Instant,
    inflight: Option<Request>,
}

impl Probe {
    /// The first probe comes one interval from now.
    pub fn new(kube: Kube) -> Probe {
        let due = tokio::time::Instant::now() + kube.probe_every;
        Probe {
            kube,
            due,
            inflight: None,
        }
    }

    /// The next probe's answer: alive, or why not (with the address).
    pub async fn next(&mut self) -> Result<(), String> {
        loop {
            if let Some(request) = self.inflight.as_mut() {
                let answer = request.await;
                self.inflight = None;
                let wait = if answer.is_ok() {
                    self.kube.probe_every
                } else {
                    RETRY.min(self.kube.probe_every)
                };
                self.due = tokio::time::Instant::now() + wait;
                return answer;
            }
            tokio::time::sleep_until(self.due).await;
            let kube = self.kube.clone();
            self.inflight = Some(Box::pin(async move {
                let limit = kube.probe_every.min(PROBE_TIMEOUT);
                match tokio::time::timeout(limit, kube.client.apiserver_version()).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) => Err(describe(&e)),
                    Err(_) => Err(format!(
                        "no answer within {}s ({})",
                        limit.as_secs().max(1),
                        kube.server
                    )),
                }
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnects_come_within_three_seconds_and_start_over_after_success() {
        let mut b = Quick::default();
        let ms: Vec<u128> = (0..6)
            .filter_map(|_| b.next())
            .map(|d| d.as_millis())
            .collect();
        assert_eq!(ms, [500, 1000, 2000, 3000, 3000, 3000]);
        b.reset();
        assert_eq!(b.next(), Some(Duration::from_millis(500)));
    }
}
