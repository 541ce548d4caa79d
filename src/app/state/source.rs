//! Health of one data source: one state machine, judged at draw time against
//! the clock, so a pane title never says more than the source has shown.
//!
//! `connecting` until the first answer; `live` while signs of life (answers,
//! watch events, probes) keep coming about as often as expected; `stale for
//! Ns` once they are late; `error` when the last attempt failed after the
//! last sign of life, naming the address. A sign of life after an error is
//! a recovery, seen at once.

use jiff::{SignedDuration, Timestamp};

/// What a pane knows about the source feeding it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceStatus {
    /// Source name shown in titles (`demo`, a server name, ...).
    pub name: String,
    /// Where the source is (a URL without credentials, a kube context), so an
    /// error says which server failed.
    pub address: String,
    /// When the source last showed a sign of life; staleness is judged
    /// against it at draw time.
    pub last_ok: Option<Timestamp>,
    /// Why the last attempt failed, if it failed after the last sign of life.
    pub error: Option<String>,
    /// How often signs of life are expected (the poll interval, a watch's
    /// probe interval), as the source announced it.
    pub expected: Option<SignedDuration>,
    /// Time between the last two signs of life, for sources that announce
    /// no interval.
    pub cadence: Option<SignedDuration>,
    /// Set when no source is configured for the pane, saying what to configure.
    pub off: Option<String>,
}

/// The state a title shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceState {
    /// Nothing is configured: what to configure.
    Off(String),
    /// No answer yet.
    Connecting,
    /// Answering as expected.
    Live,
    /// No sign of life for this many seconds, longer than expected.
    Stale(i64),
    /// The last attempt failed: why, with the address when the reason does
    /// not already name it.
    Error(String),
}

impl SourceStatus {
    /// A source starting: its name, where it is and how often it will show
    /// signs of life.
    pub fn connecting(&mut self, name: &str, address: &str, every: SignedDuration) {
        self.name = name.to_string();
        self.address = address.to_string();
        self.expected = (every > SignedDuration::ZERO).then_some(every);
        self.off = None;
    }

    /// Records a good answer (or any other sign of life).
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

    /// How long without a sign of life is still on time: the expected
    /// interval plus a quarter (answers take time), at least two seconds.
    fn allowed(&self) -> SignedDuration {
        let every = self
            .expected
            .or(self.cadence)
            .unwrap_or(SignedDuration::from_secs(10));
        (every + every / 4).max(SignedDuration::from_secs(2))
    }

    /// Seconds since the last sign of life when that is later than expected.
    pub fn stale_for(&self, now: Timestamp) -> Option<i64> {
        let last = self.last_ok?;
        let age = now.duration_since(last);
        (age > self.allowed()).then_some(age.as_secs())
    }

    /// The state to show now.
    pub fn state(&self, now: Timestamp) -> SourceState {
        if let Some(off) = &self.off {
            return SourceState::Off(off.clone());
        }
        if let Some(e) = &self.error {
            return SourceState::Error(self.with_address(e));
        }
        match (self.last_ok, self.stale_for(now)) {
            (None, _) => SourceState::Connecting,
            (Some(_), Some(secs)) => SourceState::Stale(secs),
            (Some(_), None) => SourceState::Live,
        }
    }

    /// `reason (address)`, unless the reason already names the address.
    pub fn with_address(&self, reason: &str) -> String {
        let host = self
            .address
            .split("://")
            .nth(1)
            .unwrap_or(&self.address)
            .trim_end_matches('/');
        if self.address.is_empty() || reason.contains(host) {
            reason.to_string()
        } else {
            format!("{reason} ({})", self.address)
        }
    }

    /// Records a failure, keeping the time of the last good answer.
    pub fn failed(&mut self, name: &str, error: String) {
        self.name = name.to_string();
        self.error = Some(error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).expect("time")
    }

    /// Every transition, with the clock injected: connecting, live, quiet
    /// but on time, frozen (stale, then error), recovered at once.
    #[test]
    fn a_source_goes_through_every_state_as_its_signs_of_life_say() {
        let mut s = SourceStatus::default();
        s.connecting(
            "alertmanager",
            "http://am:9093",
            SignedDuration::from_secs(10),
        );
        assert_eq!(s.state(t(0)), SourceState::Connecting);
        s.ok("alertmanager", t(1));
        assert_eq!(s.state(t(5)), SourceState::Live);
        // Within the interval and a quarter: still live.
        assert_eq!(s.state(t(13)), SourceState::Live);
        // A frozen server: nothing comes, so stale …
        assert_eq!(s.state(t(14)), SourceState::Stale(13));
        // … then the request times out: an error naming where.
        s.failed("alertmanager", "no answer within 5s".into());
        assert_eq!(
            s.state(t(16)),
            SourceState::Error("no answer within 5s (http://am:9093)".into())
        );
        // The first answer after it is live again, whatever came before.
        s.ok("alertmanager", t(17));
        assert_eq!(s.state(t(17)), SourceState::Live);
    }

    #[test]
    fn a_reason_that_names_the_address_is_not_told_it_twice() {
        let mut s = SourceStatus::default();
        s.connecting("prometheus", "http://127.0.0.1:9090", SignedDuration::ZERO);
        assert_eq!(
            s.with_address("cannot connect to 127.0.0.1:9090"),
            "cannot connect to 127.0.0.1:9090"
        );
        assert_eq!(
            s.with_address("HTTP 500"),
            "HTTP 500 (http://127.0.0.1:9090)"
        );
        // No interval announced: the gap between answers is the measure.
        s.ok("prometheus", t(0));
        s.ok("prometheus", t(30));
        assert_eq!(s.state(t(60)), SourceState::Live);
        assert_eq!(s.state(t(69)), SourceState::Stale(39));
    }

    #[test]
    fn nothing_configured_is_off_not_an_error() {
        let s = SourceStatus {
            off: Some("No Prometheus is configured".into()),
            ..SourceStatus::default()
        };
        assert_eq!(
            s.state(t(0)),
            SourceState::Off("No Prometheus is configured".into())
        );
    }
}
