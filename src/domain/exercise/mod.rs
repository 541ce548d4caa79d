//! Exercises: scheduled DR drills and chaos game-days, the two rhythms that
//! keep runbooks true between real incidents. Pure models, like the rest
//! of `domain`.

pub mod drill;
pub mod experiment;

pub use experiment::*;

use std::collections::BTreeMap;

use jiff::Timestamp;

use drill::{DrillTargets, PastDrill};

/// What the data dir remembers of past work on runbooks: when each was last
/// exercised (by an incident, a drill or a game-day) and each runbook's
/// drills. Plain `lint` uses an empty one, so its verdict depends on the
/// files alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// The newest declaration that used each runbook, by runbook id.
    pub used: BTreeMap<String, Timestamp>,
    /// Every drill of each runbook, oldest first, by runbook id.
    pub drills: BTreeMap<String, Vec<DrillRecord>>,
    /// Drills and game-days open when it was read.
    pub open_exercises: Vec<OpenExercise>,
}

/// A drill or game-day open in the data dir.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenExercise {
    /// `drill` or `gameday`.
    pub kind: String,
    /// Its incident id.
    pub id: String,
    /// Alert names its runbook claims.
    pub alerts: Vec<String>,
    /// When it began: only alerts that started since are its own.
    pub since: Timestamp,
}

/// One drill as the data dir's index knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct DrillRecord {
    /// Its incident id.
    pub id: String,
    /// When it was declared.
    pub at: Timestamp,
    /// The targets it froze.
    pub targets: Option<DrillTargets>,
    /// Its score, once it ended.
    pub score: Option<PastDrill>,
}

impl History {
    /// The kind of open exercise (`drill`, `gameday`) that claims an alert
    /// of this name, if one does.
    pub fn claimed_by(&self, alert: &str, starts_at: Timestamp) -> Option<&str> {
        self.open_exercises
            .iter()
            .filter(|x| starts_at >= x.since)
            .find(|x| x.alerts.iter().any(|n| n.eq_ignore_ascii_case(alert)))
            .map(|x| x.kind.as_str())
    }

    /// The latest drill of `runbook` other than `except`, with its targets.
    pub fn previous_drill(&self, runbook: &str, except: &str) -> Option<&DrillRecord> {
        self.drills
            .get(runbook)?
            .iter()
            .rev()
            .find(|d| d.id != except && d.targets.is_some())
    }

    /// The scores of every earlier drill of `runbook` (not `except`),
    /// oldest first: the trend a new score is compared with.
    pub fn scores(&self, runbook: &str, except: &str, before: Timestamp) -> Vec<PastDrill> {
        self.drills
            .get(runbook)
            .map(|v| {
                v.iter()
                    .filter(|d| d.id != except && d.at <= before)
                    .filter_map(|d| d.score.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}
