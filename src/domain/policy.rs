//! Incident command rules: the severity matrix (how fast each severity must be
//! acknowledged, mitigated and updated), who is on call, and the clocks those
//! rules put on an open incident. Everything here is a pure function of the
//! incident and an injected `now`, so clocks are testable without waiting.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::incident::Incident;
use super::severity::Sev;

/// What one severity demands; the default demands nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Whether responders are paged (else: chat only).
    pub page: bool,
    /// Acknowledge within this long of the declaration.
    pub acknowledge: Option<Duration>,
    /// Mitigate within this long of the declaration.
    pub mitigate: Option<Duration>,
    /// First customer communication within this long.
    pub first_comm: Option<Duration>,
    /// Status updates at least this often.
    pub update_every: Option<Duration>,
    /// A postmortem is required (within 48 hours).
    pub postmortem: bool,
}

/// The severity matrix: defaults from the product spec, patched by config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    targets: BTreeMap<Sev, Target>,
}

const MIN: u64 = 60;

impl Default for Matrix {
    fn default() -> Self {
        let t =
            |page, ack: Option<u64>, mit: Option<u64>, comm: Option<u64>, upd: Option<u64>, pm| {
                Target {
                    page,
                    acknowledge: ack.map(|m| Duration::from_secs(m * MIN)),
                    mitigate: mit.map(|m| Duration::from_secs(m * MIN)),
                    first_comm: comm.map(|m| Duration::from_secs(m * MIN)),
                    update_every: upd.map(|m| Duration::from_secs(m * MIN)),
                    postmortem: pm,
                }
            };
        Matrix {
            targets: [
                (
                    Sev::P0,
                    t(true, Some(5), Some(30), Some(15), Some(30), true),
                ),
                (
                    Sev::P1,
                    t(true, Some(15), Some(240), Some(60), Some(60), true),
                ),
                // One business day to acknowledge; mitigation "when convenient".
                (Sev::P2, t(false, Some(24 * 60), None, None, None, false)),
            ]
            .into(),
        }
    }
}

/// One severity's overrides as written in the config file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetPatch {
    /// Page responders.
    pub page: Option<bool>,
    /// Acknowledge within.
    pub acknowledge: Option<super::time::ConfigDuration>,
    /// Mitigate within.
    pub mitigate: Option<super::time::ConfigDuration>,
    /// First customer communication within.
    pub first_comm: Option<super::time::ConfigDuration>,
    /// Status update cadence.
    pub update_every: Option<super::time::ConfigDuration>,
    /// Postmortem required.
    pub postmortem: Option<bool>,
}

impl Matrix {
    /// The defaults with a team's overrides applied.
    pub fn with_overrides(patches: &BTreeMap<Sev, TargetPatch>) -> Self {
        let mut m = Matrix::default();
        for (sev, p) in patches {
            let t = m.targets.entry(*sev).or_default();
            if let Some(v) = p.page {
                t.page = v;
            }
            if let Some(v) = p.acknowledge {
                t.acknowledge = Some(v.0);
            }
            if let Some(v) = p.mitigate {
                t.mitigate = Some(v.0);
            }
            if let Some(v) = p.first_comm {
                t.first_comm = Some(v.0);
            }
            if let Some(v) = p.update_every {
                t.update_every = Some(v.0);
            }
            if let Some(v) = p.postmortem {
                t.postmortem = v;
            }
        }
        m
    }

    /// What a severity demands.
    pub fn target(&self, sev: Sev) -> Target {
        self.targets.get(&sev).cloned().unwrap_or_default()
    }
}

/// Who is on call, from the config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnCall {
    /// Paged first.
    pub primary: Option<String>,
    /// Paged when the primary has not acknowledged in time.
    pub secondary: Option<String>,
    /// How long before the secondary is due to be paged (default 15 min).
    pub escalate_after: Option<super::time::ConfigDuration>,
}

impl OnCall {
    /// The escalation window.
    pub fn escalation(&self) -> Duration {
        self.escalate_after
            .map_or(Duration::from_secs(15 * MIN), |d| d.0)
    }
}

/// Which deadline a clock tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// Acknowledge by.
    Acknowledge,
    /// Escalate to the secondary on-call if still not acknowledged.
    Escalate,
    /// Mitigate by.
    Mitigate,
    /// Next status update due.
    Update,
}

impl ClockKind {
    /// A stable name, for ids derived from a missed deadline.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockKind::Acknowledge => "acknowledge",
            ClockKind::Escalate => "escalate",
            ClockKind::Mitigate => "mitigate",
            ClockKind::Update => "update",
        }
    }

    /// Words for panes and the timeline.
    pub fn label(self) -> &'static str {
        match self {
            ClockKind::Acknowledge => "acknowledge by",
            ClockKind::Escalate => "escalate to secondary",
            ClockKind::Mitigate => "mitigate by",
            ClockKind::Update => "next status update",
        }
    }
}

/// How close a clock is to its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClockState {
    /// Plenty of time left.
    Ok,
    /// Within the last fifth of its window (at least the last minute): amber.
    Near,
    /// The deadline has passed: red.
    Missed,
}

/// One running deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    /// Which deadline.
    pub kind: ClockKind,
    /// When it falls due.
    pub due: Timestamp,
    /// Ok, near or missed at `now`.
    pub state: ClockState,
}

impl Clock {
    /// Time left (negative once missed).
    pub fn left(&self, now: Timestamp) -> SignedDuration {
        self.due.duration_since(now)
    }
}

fn clock(kind: ClockKind, start: Timestamp, window: Duration, now: Timestamp) -> Option<Clock> {
    let window = SignedDuration::try_from(window).ok()?;
    let due = start.checked_add(window).ok()?;
    let left = due.duration_since(now);
    let near = (window / 5).max(SignedDuration::from_secs(60));
    let state = if left <= SignedDuration::ZERO {
        ClockState::Missed
    } else if left <= near {
        ClockState::Near
    } else {
        ClockState::Ok
    };
    Some(Clock { kind, due, state })
}

/// The clocks running on an incident at `now`, most urgent first. A resolved
/// incident has none; a met deadline stops its clock.
pub fn clocks(inc: &Incident, matrix: &Matrix, oncall: &OnCall, now: Timestamp) -> Vec<Clock> {
    if !inc.is_open() {
        return Vec::new();
    }
    let t = matrix.target(inc.severity);
    let declared = inc.declared.at;
    let mut out = Vec::new();
    if inc.acknowledged.is_none() {
        out.extend(
            t.acknowledge
                .and_then(|w| clock(ClockKind::Acknowledge, declared, w, now)),
        );
        if t.page {
            out.extend(clock(
                ClockKind::Escalate,
                declared,
                oncall.escalation(),
                now,
            ));
        }
    }
    if inc.mitigated.is_none() {
        out.extend(
            t.mitigate
                .and_then(|w| clock(ClockKind::Mitigate, declared, w, now)),
        );
    }
    // The first update (to either audience) is due within the first-update
    // target; each later one within the cadence after the one before.
    let (from, within) = match inc.updates.last() {
        None => (declared, t.first_comm.or(t.update_every)),
        Some(u) => (u.mark.at, t.update_every),
    };
    out.extend(within.and_then(|w| clock(ClockKind::Update, from, w, now)));
    out.sort_by_key(|c| (std::cmp::Reverse(c.state), c.due, c.kind));
    out
}

#[cfg(test)]
mod tests;
