//! The exercise part of the postmortem: a drill's frozen targets, clocks,
//! score and trend, or a game-day's plan, pre-flight, abort series and
//! outcome — one set of facts the markdown and the JSON views both read,
//! so a drill can never be exported as if it were a real incident.

use jiff::Timestamp;
use serde::Serialize;

use super::clean;
use crate::domain::exercise::drill::{DrillScore, DrillTargets, PastDrill, StepTime};
use crate::domain::incident::exercise::{ExerciseState, GamedayPlan};
use crate::domain::incident::{Exercise, Incident, Mark};
use crate::domain::time::utc_datetime;

/// An exercise as the postmortem states it; absent for a real incident.
#[derive(Debug, Clone, Serialize)]
pub struct ExerciseReport {
    /// `drill` or `gameday`, as `list --json` says it.
    pub kind: String,
    /// `DRILL` or `GAMEDAY`: the mark the title and `list` carry.
    pub label: String,
    /// What it was in words, for the header: never mistaken for an incident.
    pub described: String,
    /// The journal's last event: live numbers are measured at it, not at the
    /// wall clock, so the same journal always exports the same report.
    pub as_of: String,
    /// No action item was recorded, though every exercise must produce one.
    pub action_items_missing: bool,
    /// A drill's facts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drill: Option<DrillReport>,
    /// A game-day's facts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gameday: Option<GamedayReport>,
}

/// A drill: what it had to achieve, what it measured and how that compares.
#[derive(Debug, Clone, Serialize)]
pub struct DrillReport {
    /// The drill runbook's id.
    pub runbook: String,
    /// The runbook's content hash when the drill began, so the version drilled is known.
    pub hash: String,
    /// The targets frozen at the start.
    pub targets: TargetsReport,
    /// The injection (the RTO clock's start), if recorded.
    pub injected: Option<ClockMark>,
    /// The recovery (the RTO clock's stop), if recorded.
    pub recovered: Option<ClockMark>,
    /// Data lost, if measured.
    pub rpo: Option<RpoReport>,
    /// Injection to recovery, or to `as_of` while not recovered.
    pub rto_ms: Option<u64>,
    /// Human action time (the score's, or the fold's so far).
    pub human_ms: u64,
    /// Whether the drill was scored; when not, the numbers are live ones.
    pub scored: bool,
    /// `PASS` or `FAIL` once scored: PASS only if every targeted measure passed.
    pub verdict: Option<String>,
    /// The score's rows, once scored.
    pub rows: Vec<ScoreLine>,
    /// The steps that took the most human time, slowest first.
    pub slowest: Vec<SlowStep>,
    /// Every drill of the runbook, oldest first, this one last (once scored).
    pub history: Vec<TrendRow>,
}

/// A drill's targets as frozen when it began.
#[derive(Debug, Clone, Serialize)]
pub struct TargetsReport {
    /// Recovery time objective, in ms.
    pub rto_ms: u64,
    /// Recovery point objective, in ms.
    pub rpo_ms: u64,
    /// Human action time allowed, in ms, when set.
    pub human_ms: Option<u64>,
    /// PromQL measuring data lost.
    pub rpo_query: Option<String>,
    /// PromQL saying the service works again.
    pub recovered_query: Option<String>,
}

/// When a clock started or stopped, who recorded it and how it was known.
#[derive(Debug, Clone, Serialize)]
pub struct ClockMark {
    /// UTC.
    pub at: String,
    /// Who recorded it (or the cockpit).
    pub by: String,
    /// How it was known.
    pub how: String,
}

/// Data lost in a drill.
#[derive(Debug, Clone, Serialize)]
pub struct RpoReport {
    /// In ms.
    pub lost_ms: u64,
    /// How it was known.
    pub how: String,
}

/// One measure of a drill's score against its target and the last drill.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreLine {
    /// `RTO`, `RPO`, `human action time`.
    pub measure: String,
    /// What this drill measured, in ms.
    pub actual_ms: Option<u64>,
    /// In words: `20m`, `not recovered`, `not measured`.
    pub actual: String,
    /// The target, in ms, when set.
    pub target_ms: Option<u64>,
    /// `PASS`, `FAIL` or `—` (no target).
    pub verdict: String,
    /// The previous drill's number, in ms.
    pub last_ms: Option<u64>,
    /// Against the previous drill: `−46%`.
    pub change: Option<String>,
}

/// A step on the critical path and the human time it took.
#[derive(Debug, Clone, Serialize)]
pub struct SlowStep {
    /// The step in words.
    pub step: String,
    /// When it became the next step (UTC).
    pub from: String,
    /// When it was ticked or run (UTC).
    pub to: String,
    /// The humans' time, in ms.
    pub human_ms: u64,
    /// Time commands ran in between, in ms.
    pub machine_ms: u64,
}

/// One drill of the runbook in the trend.
#[derive(Debug, Clone, Serialize)]
pub struct TrendRow {
    /// Its incident id.
    pub id: String,
    /// When it was declared (UTC).
    pub date: String,
    /// Injection to recovery, when it recovered.
    pub rto_ms: Option<u64>,
    /// Data lost, when measured.
    pub rpo_ms: Option<u64>,
    /// Human action time.
    pub human_ms: u64,
    /// Whether every targeted measure passed.
    pub passed: bool,
    /// This drill (the last row), not an earlier one.
    pub this: bool,
}

/// A game-day: the experiment as planned, its pre-flight, what the abort
/// query answered and how it ended.
#[derive(Debug, Clone, Serialize)]
pub struct GamedayReport {
    /// The experiment's name.
    pub name: String,
    /// The experiment file, as given.
    pub file: String,
    /// The falsifiable sentence under test.
    pub hypothesis: String,
    /// The runbook it exercises.
    pub runbook: String,
    /// Namespace the fault could touch.
    pub namespace: String,
    /// Pods it could touch.
    pub selector: String,
    /// At most this many pods.
    pub max_pods: u32,
    /// For at most this long, in ms.
    pub max_duration_ms: u64,
    /// Kube contexts it was allowed in.
    pub contexts: Vec<String>,
    /// The context it ran in.
    pub context: String,
    /// The fault applied.
    pub fault: Fault,
    /// PromQL that had to be empty before starting.
    pub steady_state: String,
    /// PromQL whose any answer stops the experiment.
    pub abort: String,
    /// Observation time, in ms.
    pub window_ms: u64,
    /// How often the abort query was asked, in ms.
    pub poll_ms: u64,
    /// The pre-flight checklist as recorded when it started.
    pub checks: Vec<CheckRow>,
    /// When it started (UTC) and who started it.
    pub started: Option<ClockMark>,
    /// When the window was due to end (UTC).
    pub planned_end: Option<String>,
    /// How it ended, once it did.
    pub ended: Option<EndRow>,
    /// The abort query's answer that stopped it.
    pub evidence: Option<EvidenceRow>,
    /// The abort query's answers over the window, every one.
    pub series: Vec<SampleRow>,
}

/// The fault a game-day applied, from its manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    /// The manifest's `kind`.
    pub kind: String,
    /// Its `metadata.name`.
    pub name: String,
    /// Its `metadata.namespace`.
    pub namespace: String,
    /// The whole manifest, every text in it cleaned.
    pub manifest: serde_json::Value,
}

/// One pre-flight check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRow {
    /// What was checked.
    pub label: String,
    /// Whether it passed.
    pub ok: bool,
    /// The detail shown.
    pub detail: String,
}

/// How a game-day ended.
#[derive(Debug, Clone, Serialize)]
pub struct EndRow {
    /// UTC.
    pub at: String,
    /// Who ended it (or the cockpit).
    pub by: String,
    /// `held`, `failed`, `aborted` or `stopped`.
    pub outcome: String,
    /// The outcome in words: `aborted — hypothesis failed`.
    pub words: String,
    /// Why, as recorded.
    pub why: String,
}

/// The abort query's answer that stopped an experiment.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    /// The query asked.
    pub query: String,
    /// The first value it answered.
    pub value: f64,
    /// The series that answered.
    pub series: String,
    /// When (UTC).
    pub at: String,
}

/// One answer of the abort query.
#[derive(Debug, Clone, Serialize)]
pub struct SampleRow {
    /// When it was asked (UTC).
    pub at: String,
    /// The largest value answered; `None` when empty.
    pub value: Option<f64>,
}

/// `2026-11-21 03:12:45 UTC`.
pub(super) fn stamp(t: Timestamp) -> String {
    format!("{} UTC", utc_datetime(t))
}

fn clock(m: &Mark, how: &str) -> ClockMark {
    ClockMark {
        at: stamp(m.at),
        by: clean(&m.by),
        how: clean(how),
    }
}

/// The exercise of a folded incident, its live numbers measured at `now`
/// (the journal's last event); `None` for a real incident.
pub(super) fn report(inc: &Incident, now: Timestamp) -> Option<ExerciseReport> {
    let x = inc.exercise.as_ref()?;
    let (drill, gameday, described) = match &x.plan {
        Exercise::Drill {
            runbook,
            hash,
            targets,
            ..
        } => (
            Some(drill(inc, x, (runbook, hash, targets), now)),
            None,
            "DR drill (exercise, not a real incident)",
        ),
        Exercise::Gameday(plan) => (
            None,
            Some(gameday(x, plan)),
            "chaos game-day (exercise, not a real incident)",
        ),
    };
    Some(ExerciseReport {
        kind: x.plan.kind().to_string(),
        label: x.plan.label().to_string(),
        described: described.to_string(),
        as_of: stamp(now),
        action_items_missing: inc.actions.is_empty(),
        drill,
        gameday,
    })
}

fn drill(
    inc: &Incident,
    x: &ExerciseState,
    (runbook, hash, targets): (&str, &str, &DrillTargets),
    now: Timestamp,
) -> DrillReport {
    let score = x.score.as_ref();
    let slowest = score.map_or_else(|| x.human.slowest(3), |s| s.slowest.clone());
    DrillReport {
        runbook: clean(runbook),
        hash: clean(hash),
        targets: TargetsReport {
            rto_ms: targets.rto_ms,
            rpo_ms: targets.rpo_ms,
            human_ms: targets.human_ms,
            rpo_query: targets.rpo_query.as_deref().map(clean),
            recovered_query: targets.recovered_query.as_deref().map(clean),
        },
        injected: x.injected.as_ref().map(|(m, how)| clock(m, how)),
        recovered: x.recovered.as_ref().map(|(m, how)| clock(m, how)),
        rpo: x.rpo.as_ref().map(|(lost_ms, how)| RpoReport {
            lost_ms: *lost_ms,
            how: clean(how),
        }),
        rto_ms: score.map_or_else(|| x.rto_ms(now), |s| s.rto_ms),
        human_ms: score.map_or_else(|| x.human.total(now), |s| s.human_ms),
        scored: score.is_some(),
        verdict: score.map(|s| if s.passed() { "PASS" } else { "FAIL" }.to_string()),
        rows: score.map(score_lines).unwrap_or_default(),
        slowest: slowest.iter().map(slow_step).collect(),
        history: score.map(|s| trend(inc, s)).unwrap_or_default(),
    }
}

fn score_lines(s: &DrillScore) -> Vec<ScoreLine> {
    s.rows()
        .iter()
        .map(|r| ScoreLine {
            measure: r.name.to_string(),
            actual_ms: r.actual,
            actual: r.actual_text(),
            target_ms: r.target,
            verdict: r.verdict().to_string(),
            last_ms: r.last,
            change: change(r.actual, r.last),
        })
        .collect()
}

/// This drill's number against the last one's, as a signed percentage.
fn change(now: Option<u64>, last: Option<u64>) -> Option<String> {
    let (now, last) = (now?, last?);
    if last == 0 {
        return (now == 0).then(|| "±0%".to_string());
    }
    let pct = (now as f64 - last as f64) / last as f64 * 100.0;
    let sign = match pct {
        p if p.round() == 0.0 => "±",
        p if p < 0.0 => "−",
        _ => "+",
    };
    Some(format!("{sign}{:.0}%", pct.abs()))
}

fn slow_step(s: &StepTime) -> SlowStep {
    SlowStep {
        step: clean(&s.step),
        from: stamp(s.from),
        to: stamp(s.to),
        human_ms: s.human_ms,
        machine_ms: s.machine_ms,
    }
}

fn trend(inc: &Incident, s: &DrillScore) -> Vec<TrendRow> {
    let row = |p: &PastDrill, this: bool| TrendRow {
        id: clean(&p.id),
        date: stamp(p.at),
        rto_ms: p.rto_ms,
        rpo_ms: p.rpo_ms,
        human_ms: p.human_ms,
        passed: p.passed,
        this,
    };
    s.history
        .iter()
        .map(|p| row(p, false))
        .chain(std::iter::once(row(
            &s.as_past(&inc.id, inc.declared.at),
            true,
        )))
        .collect()
}

fn gameday(x: &ExerciseState, p: &GamedayPlan) -> GamedayReport {
    let text = |v: &serde_json::Value| v.as_str().map_or("—".to_string(), clean);
    GamedayReport {
        name: clean(&p.name),
        file: clean(&p.file),
        hypothesis: clean(&p.hypothesis),
        runbook: clean(&p.runbook),
        namespace: clean(&p.namespace),
        selector: clean(&p.selector),
        max_pods: p.max_pods,
        max_duration_ms: p.max_duration_ms,
        contexts: p.contexts.iter().map(|c| clean(c)).collect(),
        context: clean(&p.context),
        fault: Fault {
            kind: text(&p.manifest["kind"]),
            name: text(&p.manifest["metadata"]["name"]),
            namespace: text(&p.manifest["metadata"]["namespace"]),
            manifest: clean_value(&p.manifest),
        },
        steady_state: clean(&p.steady_state),
        abort: clean(&p.abort),
        window_ms: p.window_ms,
        poll_ms: p.poll_ms,
        checks: x
            .started
            .iter()
            .flat_map(|(_, checks)| checks)
            .map(|c| CheckRow {
                label: clean(&c.label),
                ok: c.ok,
                detail: clean(&c.detail),
            })
            .collect(),
        started: x.started.as_ref().map(|(m, _)| clock(m, "")),
        planned_end: x.window_ends().map(stamp),
        ended: x.ended.as_ref().map(|e| EndRow {
            at: stamp(e.mark.at),
            by: clean(&e.mark.by),
            outcome: outcome_word(e.outcome),
            words: e.outcome.words().to_string(),
            why: clean(&e.why),
        }),
        evidence: x
            .ended
            .as_ref()
            .and_then(|e| e.evidence.as_ref())
            .map(|ev| EvidenceRow {
                query: clean(&ev.query),
                value: ev.value,
                series: clean(&ev.series),
                at: stamp(ev.at),
            }),
        series: x
            .ended
            .iter()
            .flat_map(|e| &e.series)
            .map(|s| SampleRow {
                at: stamp(s.at),
                value: s.value,
            })
            .collect(),
    }
}

/// `held`, `aborted`…: the outcome as the journal and `list --json` spell it.
pub(crate) fn outcome_word(o: crate::domain::incident::Outcome) -> String {
    serde_json::to_value(o)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A JSON value with every key and text cleaned of control characters and
/// secrets, as every other text of the report is.
fn clean_value(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(clean(s)),
        Value::Array(a) => Value::Array(a.iter().map(clean_value).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (clean(k), clean_value(v))).collect())
        }
        other => other.clone(),
    }
}
