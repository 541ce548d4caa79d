//! Health of one data source, judged at draw time against the clock.

use jiff::{SignedDuration, Timestamp};

/// What a pane knows about the source feeding it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceStatus {
    /// Source name shown in titles (`demo`, a server name, ...).
    pub name: String,
    /// When the source last answered; staleness is judged against it at draw time.
    pub last_ok: Option<Timestamp>,
    /// Why the last attempt failed, if it did.
    pub error: Option<String>,
    /// Time between the last two good answers: how often the source reports,
    /// so "stale" means late for this source rather than a fixed age.
    pub cadence: Option<SignedDuration>,
    /// Set when no source is configured for the pane, saying what to configure.
    pub off: Option<String>,
}

impl SourceStatus {
    /// Records a good answer.
    pub fn ok(&mut self, name: &str, at: Timestamp) {
        self.name = name.to_string();
        if let Some(prev) = self.last_ok {
            let gap = at.duration_since(prev);
            if gap > SignedDuration::ZERO {
                self.cadence = Some(gap);
            }
        }
        self.last_ok = Some(at);
        self.error = None;
    }

    /// Seconds since the last good answer when that is later than expected.
    pub fn stale_for(&self, now: Timestamp) -> Option<i64> {
        let last = self.last_ok?;
        let age = now.duration_since(last).as_secs();
        let expected = self.cadence.map_or(0, |c| c.as_secs());
        (age > (expected * 5 / 2).max(15)).then_some(age)
    }

    /// Records a failure, keeping the time of the last good answer.
    pub fn failed(&mut self, name: &str, error: String) {
        self.name = name.to_string();
        self.error = Some(error);
    }
}
