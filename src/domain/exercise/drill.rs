//! A DR drill's frozen targets and its score.
//!
//! A drill runbook says in its front matter what "good" means before
//! anyone starts (`drill: {rto: 30m, rpo: 5m, human: 10m, rpo_query: …,
//! recovered_query: …}`). Those targets are copied into the drill's journal
//! when it starts, so editing the file during the drill changes nothing, and
//! a later drill can be told apart from one that passed because the targets
//! were relaxed.

use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::domain::time::{millis_serde, short_duration};

/// What a drill must achieve, as the runbook declared it when the drill began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillTargets {
    /// Recovery time objective: injection to recovery, in milliseconds.
    pub rto_ms: u64,
    /// Recovery point objective: the most data that may be lost, in ms.
    pub rpo_ms: u64,
    /// Human action time allowed, when the runbook sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human_ms: Option<u64>,
    /// PromQL answering how many seconds of data were lost, asked at recovery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo_query: Option<String>,
    /// PromQL that returns data once the customer flow works again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered_query: Option<String>,
}

/// The front-matter keys of `drill:`.
const KEYS: &[&str] = &["rto", "rpo", "human", "rpo_query", "recovered_query"];

/// A target duration in ms: `30m`, `90s`, or `0s` (no loss allowed).
pub fn parse_target(text: &str) -> Result<u64, String> {
    target(text)
}

fn target(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.trim_end_matches(['s', 'm', 'h'])
        .chars()
        .all(|c| c == '0')
        && !t.is_empty()
    {
        return Ok(0);
    }
    let d = crate::domain::time::parse_duration(t)?;
    Ok(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl DrillTargets {
    /// Reads `drill:` from a runbook's front matter; every problem found,
    /// in words, when it is not a valid set of targets.
    pub fn from_front(value: &serde_yaml::Value) -> Result<DrillTargets, Vec<String>> {
        use serde_yaml::Value;
        let Value::Mapping(map) = value else {
            return Err(vec![
                "drill: must be a mapping such as {rto: 30m, rpo: 5m}".into(),
            ]);
        };
        let mut problems = Vec::new();
        let text = |key: &str| -> Option<Result<String, String>> {
            map.get(key).map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(format!("drill.{key} must be text")),
            })
        };
        for k in map.keys() {
            match k.as_str() {
                Some(k) if KEYS.contains(&k) => {}
                Some(k) => problems.push(format!(
                    "drill.{k} is not a drill target (known: {})",
                    KEYS.join(", ")
                )),
                None => problems.push("drill: keys must be text".into()),
            }
        }
        let mut duration = |key: &str, required: bool| -> Option<u64> {
            match text(key) {
                None if required => {
                    problems.push(format!("drill.{key} is missing (a duration such as 30m)"));
                    None
                }
                None => None,
                Some(Err(e)) => {
                    problems.push(e);
                    None
                }
                Some(Ok(s)) => match target(&s) {
                    Ok(ms) => Some(ms),
                    Err(e) => {
                        problems.push(format!("drill.{key}: {e}"));
                        None
                    }
                },
            }
        };
        let rto = duration("rto", true);
        let rpo = duration("rpo", true);
        let human = duration("human", false);
        if rto == Some(0) {
            problems.push("drill.rto must be longer than 0s: no drill could meet it".into());
        }
        let mut query = |key: &str| match text(key) {
            None => None,
            Some(Ok(q)) if q.trim().is_empty() => {
                problems.push(format!("drill.{key} is empty"));
                None
            }
            Some(Ok(q)) if q.chars().any(|c| c.is_control() && c != '\n' && c != '\t') => {
                problems.push(format!("drill.{key} holds control characters"));
                None
            }
            Some(Ok(q)) => Some(q.trim().to_string()),
            Some(Err(e)) => {
                problems.push(e);
                None
            }
        };
        let rpo_query = query("rpo_query");
        let recovered_query = query("recovered_query");
        match (rto, rpo) {
            (Some(rto_ms), Some(rpo_ms)) if problems.is_empty() => Ok(DrillTargets {
                rto_ms,
                rpo_ms,
                human_ms: human,
                rpo_query,
                recovered_query,
            }),
            _ => Err(problems),
        }
    }

    /// How these targets are looser than `before` (the previous drill's):
    /// a longer RTO, RPO or human time, or a check that was dropped or
    /// rewritten. Empty when nothing was relaxed.
    pub fn relaxed_since(&self, before: &DrillTargets) -> Vec<String> {
        let mut out = Vec::new();
        let mut longer = |name: &str, was: Option<u64>, now: Option<u64>| match (was, now) {
            (Some(w), Some(n)) if n > w => out.push(format!(
                "{name} relaxed from {} to {}",
                ms_text(w),
                ms_text(n)
            )),
            (Some(w), None) => out.push(format!("{name} target ({}) removed", ms_text(w))),
            _ => {}
        };
        longer("RTO", Some(before.rto_ms), Some(self.rto_ms));
        longer("RPO", Some(before.rpo_ms), Some(self.rpo_ms));
        longer("human action time", before.human_ms, self.human_ms);
        let mut query = |name: &str, was: &Option<String>, now: &Option<String>| match (was, now) {
            (Some(_), None) => out.push(format!("{name} removed")),
            (Some(w), Some(n)) if w != n => out.push(format!("{name} changed (was `{w}`)")),
            _ => {}
        };
        query(
            "recovered_query",
            &before.recovered_query,
            &self.recovered_query,
        );
        query("rpo_query", &before.rpo_query, &self.rpo_query);
        out
    }
}

/// A duration in milliseconds as people write it: `2m11s`, `0s`.
pub fn ms_text(ms: u64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    if ms < 1000 {
        return format!("{ms}ms");
    }
    short_duration(Duration::from_millis(ms))
}

/// One step on the critical path and the human time it took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTime {
    /// The step in words (`[Mitigate] Promote the standby database`).
    pub step: String,
    /// When it became the next step.
    #[serde(with = "millis_serde")]
    pub from: Timestamp,
    /// When it was ticked or run.
    #[serde(with = "millis_serde")]
    pub to: Timestamp,
    /// Time in between that commands ran, in ms.
    pub machine_ms: u64,
    /// The rest: the humans' time.
    pub human_ms: u64,
}

/// An earlier drill of the same runbook, as its score recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastDrill {
    /// Its incident id.
    pub id: String,
    /// When it was declared.
    #[serde(with = "millis_serde")]
    pub at: Timestamp,
    /// Injection to recovery, when it recovered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto_ms: Option<u64>,
    /// Data lost, when measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo_ms: Option<u64>,
    /// Human action time.
    pub human_ms: u64,
    /// Whether every number met its target.
    pub passed: bool,
}

/// A drill's result, recorded when it ends: the numbers, the targets in
/// force, the slowest steps and every earlier drill of the runbook, so the
/// export needs nothing but the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillScore {
    /// The targets recorded when the drill began.
    pub targets: DrillTargets,
    /// Injection to recovery; `None` when it never recovered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto_ms: Option<u64>,
    /// Data lost; `None` when never measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo_ms: Option<u64>,
    /// Human action time over the steps taken.
    pub human_ms: u64,
    /// The steps that took the most human time, slowest first (at most 3).
    pub slowest: Vec<StepTime>,
    /// Earlier drills of this runbook, oldest first.
    #[serde(default)]
    pub history: Vec<PastDrill>,
}

/// One row of a score: a number, its target and the previous drill's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRow {
    /// `RTO`, `RPO`, `human action time`.
    pub name: &'static str,
    /// What this drill measured; `None`: not recovered / not measured.
    pub actual: Option<u64>,
    /// The target; `None` when the runbook sets none.
    pub target: Option<u64>,
    /// Met the target; `None` when there is no target.
    pub pass: Option<bool>,
    /// The previous drill's number.
    pub last: Option<u64>,
}

impl ScoreRow {
    /// `PASS`, `FAIL` or `—`.
    pub fn verdict(&self) -> &'static str {
        match self.pass {
            Some(true) => "PASS",
            Some(false) => "FAIL",
            None => "—",
        }
    }

    /// The number in words, or why there is none.
    pub fn actual_text(&self) -> String {
        match (self.actual, self.name) {
            (Some(ms), _) => ms_text(ms),
            (None, "RTO") => "not recovered".into(),
            (None, _) => "not measured".into(),
        }
    }

    /// Against the previous drill: `last drill 4m2s, −46%`.
    pub fn trend(&self) -> Option<String> {
        let last = self.last?;
        let change = match self.actual {
            Some(now) if last > 0 => {
                let pct = (now as f64 - last as f64) / last as f64 * 100.0;
                let sign = if pct < 0.0 { "−" } else { "+" };
                format!(", {sign}{:.0}%", pct.abs())
            }
            _ => String::new(),
        };
        Some(format!("last drill {}{change}", ms_text(last)))
    }

    /// The row as one line: `human action time 2m11s (last drill 4m2s, −46%)`.
    pub fn line(&self) -> String {
        let target = self
            .target
            .map(|t| format!(" / target {} {}", ms_text(t), self.verdict()))
            .unwrap_or_default();
        let trend = self.trend().map(|t| format!(" ({t})")).unwrap_or_default();
        format!("{} {}{trend}{target}", self.name, self.actual_text())
    }
}

impl DrillScore {
    /// The previous drill of this runbook, if any.
    pub fn previous(&self) -> Option<&PastDrill> {
        self.history.last()
    }

    /// RTO, RPO and human action time against targets and the last drill.
    pub fn rows(&self) -> Vec<ScoreRow> {
        let last = self.previous();
        let judged = |actual: Option<u64>, target: Option<u64>| {
            target.map(|t| actual.is_some_and(|a| a <= t))
        };
        vec![
            ScoreRow {
                name: "RTO",
                actual: self.rto_ms,
                target: Some(self.targets.rto_ms),
                pass: judged(self.rto_ms, Some(self.targets.rto_ms)),
                last: last.and_then(|l| l.rto_ms),
            },
            ScoreRow {
                name: "RPO",
                actual: self.rpo_ms,
                target: Some(self.targets.rpo_ms),
                pass: judged(self.rpo_ms, Some(self.targets.rpo_ms)),
                last: last.and_then(|l| l.rpo_ms),
            },
            ScoreRow {
                name: "human action time",
                actual: Some(self.human_ms),
                target: self.targets.human_ms,
                pass: judged(Some(self.human_ms), self.targets.human_ms),
                last: last.map(|l| l.human_ms),
            },
        ]
    }

    /// Every number with a target met it.
    pub fn passed(&self) -> bool {
        self.rows().iter().all(|r| r.pass != Some(false))
    }

    /// This drill as the next one will remember it.
    pub fn as_past(&self, id: &str, at: Timestamp) -> PastDrill {
        PastDrill {
            id: id.to_string(),
            at,
            rto_ms: self.rto_ms,
            rpo_ms: self.rpo_ms,
            human_ms: self.human_ms,
            passed: self.passed(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> serde_yaml::Value {
        serde_yaml::from_str(s).unwrap()
    }

    #[test]
    fn targets_are_read_from_front_matter() {
        let t = DrillTargets::from_front(&yaml(
            "{rto: 30m, rpo: 5m, human: 10m, recovered_query: 'up == 1'}",
        ))
        .unwrap();
        assert_eq!(t.rto_ms, 30 * 60_000);
        assert_eq!(t.rpo_ms, 5 * 60_000);
        assert_eq!(t.human_ms, Some(600_000));
        assert_eq!(t.recovered_query.as_deref(), Some("up == 1"));
        assert_eq!(t.rpo_query, None);
        let zero = DrillTargets::from_front(&yaml("{rto: 1h, rpo: 0s}")).unwrap();
        assert_eq!(zero.rpo_ms, 0);
    }

    #[test]
    fn bad_targets_say_every_problem() {
        let e = DrillTargets::from_front(&yaml("{rto: soon, rpoo: 5m}")).unwrap_err();
        assert!(e.iter().any(|p| p.contains("drill.rto")), "{e:?}");
        assert!(e.iter().any(|p| p.contains("drill.rpoo is not")), "{e:?}");
        assert!(
            e.iter().any(|p| p.contains("drill.rpo is missing")),
            "{e:?}"
        );
        assert!(DrillTargets::from_front(&yaml("[30m]")).is_err());
        let e = DrillTargets::from_front(&yaml("{rto: 1m, rpo: 1m, rpo_query: ''}")).unwrap_err();
        assert!(e[0].contains("empty"), "{e:?}");
    }

    #[test]
    fn relaxing_a_target_is_noticed_and_tightening_is_not() {
        let before = DrillTargets::from_front(&yaml(
            "{rto: 30m, rpo: 5m, human: 10m, recovered_query: 'a'}",
        ))
        .unwrap();
        let tighter = DrillTargets::from_front(&yaml(
            "{rto: 20m, rpo: 5m, human: 5m, recovered_query: 'a'}",
        ))
        .unwrap();
        assert!(tighter.relaxed_since(&before).is_empty());
        let looser = DrillTargets::from_front(&yaml("{rto: 45m, rpo: 5m}")).unwrap();
        let r = looser.relaxed_since(&before);
        assert!(
            r.contains(&"RTO relaxed from 30m to 45m".to_string()),
            "{r:?}"
        );
        assert!(
            r.iter()
                .any(|m| m.contains("human action time target (10m) removed"))
        );
        assert!(r.iter().any(|m| m == "recovered_query removed"), "{r:?}");
    }

    fn score(
        rto: Option<u64>,
        rpo: Option<u64>,
        human: u64,
        last_human: Option<u64>,
    ) -> DrillScore {
        DrillScore {
            targets: DrillTargets {
                rto_ms: 30 * 60_000,
                rpo_ms: 5 * 60_000,
                human_ms: Some(5 * 60_000),
                rpo_query: None,
                recovered_query: None,
            },
            rto_ms: rto,
            rpo_ms: rpo,
            human_ms: human,
            slowest: Vec::new(),
            history: last_human
                .map(|h| PastDrill {
                    id: "drill-1".into(),
                    at: Timestamp::UNIX_EPOCH,
                    rto_ms: Some(40 * 60_000),
                    rpo_ms: None,
                    human_ms: h,
                    passed: false,
                })
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn a_score_compares_with_targets_and_the_last_drill() {
        let s = score(Some(20 * 60_000), Some(3_000), 131_000, Some(242_000));
        let rows = s.rows();
        assert_eq!(
            rows[2].line(),
            "human action time 2m11s (last drill 4m2s, −46%) / target 5m PASS"
        );
        assert_eq!(
            rows[0].line(),
            "RTO 20m (last drill 40m, −50%) / target 30m PASS"
        );
        assert_eq!(rows[1].line(), "RPO 3s / target 5m PASS");
        assert!(s.passed());
    }

    #[test]
    fn never_recovering_fails_the_rto() {
        let s = score(None, None, 400_000, None);
        let rows = s.rows();
        assert_eq!(rows[0].verdict(), "FAIL");
        assert_eq!(rows[0].actual_text(), "not recovered");
        assert_eq!(rows[1].actual_text(), "not measured");
        assert_eq!(rows[2].verdict(), "FAIL");
        assert!(!s.passed());
    }
}
