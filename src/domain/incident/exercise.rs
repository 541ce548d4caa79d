//! Exercises in the journal: what a drill or game-day declared (its frozen
//! plan), and the fold of their clocks — injection, recovery, data lost,
//! human action time — and a game-day's outcome.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Event, EventKind, Mark, StepAt};
use crate::domain::exercise::drill::{DrillScore, DrillTargets, StepTime};
use crate::domain::time::millis_serde;

/// What kind of exercise an incident is, with what it froze at the start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Exercise {
    /// A DR drill of a runbook.
    Drill {
        /// The drill runbook's id.
        runbook: String,
        /// The runbook's content hash when the drill began.
        hash: String,
        /// Its targets then, whatever the file says later.
        targets: DrillTargets,
        /// Alert names the runbook claims: while the drill runs they are
        /// the drill's, recorded in its timeline, never a real incident.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        alerts: Vec<String>,
    },
    /// A chaos game-day: one experiment.
    Gameday(Box<GamedayPlan>),
}

impl Exercise {
    /// `DRILL` or `GAMEDAY`, for the status line, `list` and the export.
    pub fn label(&self) -> &'static str {
        match self {
            Exercise::Drill { .. } => "DRILL",
            Exercise::Gameday(_) => "GAMEDAY",
        }
    }

    /// `drill` or `gameday`: the kind `list --json` and ids use.
    pub fn kind(&self) -> &'static str {
        match self {
            Exercise::Drill { .. } => "drill",
            Exercise::Gameday(_) => "gameday",
        }
    }

    /// The drill's targets, when a drill.
    pub fn targets(&self) -> Option<&DrillTargets> {
        match self {
            Exercise::Drill { targets, .. } => Some(targets),
            Exercise::Gameday(_) => None,
        }
    }

    /// Alert names the exercised runbook claims.
    pub fn claimed(&self) -> &[String] {
        match self {
            Exercise::Drill { alerts, .. } => alerts,
            Exercise::Gameday(p) => &p.alerts,
        }
    }

    /// Whether an alert is the exercise's own: the runbook it runs claims
    /// its name (ignoring case), and it started firing once the exercise
    /// had begun (`since`). One already firing is not the exercise's doing.
    pub fn claims_alert(&self, alert: &str, starts_at: Timestamp, since: Timestamp) -> bool {
        starts_at >= since && self.claims(alert)
    }

    /// Whether an alert of this name is claimed by the runbook it runs,
    /// compared as alert names are: ignoring case.
    pub fn claims(&self, alert: &str) -> bool {
        !alert.is_empty() && self.claimed().iter().any(|a| a.eq_ignore_ascii_case(alert))
    }

    /// The runbook exercised.
    pub fn runbook(&self) -> &str {
        match self {
            Exercise::Drill { runbook, .. } => runbook,
            Exercise::Gameday(p) => &p.runbook,
        }
    }

    /// The game-day's plan, when a game-day.
    pub fn gameday(&self) -> Option<&GamedayPlan> {
        match self {
            Exercise::Gameday(p) => Some(p),
            Exercise::Drill { .. } => None,
        }
    }
}

/// A chaos experiment as it was when the game-day began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GamedayPlan {
    /// The experiment's name (typed to start it).
    pub name: String,
    /// The experiment file, as given.
    pub file: String,
    /// The falsifiable sentence under test.
    pub hypothesis: String,
    /// The runbook it exercises.
    pub runbook: String,
    /// Namespace the fault may touch.
    pub namespace: String,
    /// Pods it may touch.
    pub selector: String,
    /// At most this many pods.
    pub max_pods: u32,
    /// For at most this long, in ms.
    pub max_duration_ms: u64,
    /// Kube contexts it may run in.
    pub contexts: Vec<String>,
    /// The context it ran in.
    pub context: String,
    /// The fault, as a Kubernetes object.
    pub manifest: serde_json::Value,
    /// PromQL: any answer fails the experiment at once.
    pub abort: String,
    /// PromQL that had to be empty before starting.
    pub steady_state: String,
    /// Observation time, in ms.
    pub window_ms: u64,
    /// How often the abort query is asked, in ms.
    pub poll_ms: u64,
    /// Alert names the exercised runbook claims (see [`Exercise::claims`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<String>,
}

/// How a game-day ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The window passed, the abort query stayed empty and the steady state
    /// held at the end: the hypothesis held.
    Held,
    /// The window passed but a check failed: the hypothesis failed.
    Failed,
    /// The abort query answered during the window: stopped at once.
    Aborted,
    /// A responder stopped it before the window ended (quit, `:abort`).
    Stopped,
}

impl Outcome {
    /// As the status line and the export say it.
    pub fn words(self) -> &'static str {
        match self {
            Outcome::Held => "held — hypothesis held",
            Outcome::Failed => "failed — hypothesis failed",
            Outcome::Aborted => "aborted — hypothesis failed",
            Outcome::Stopped => "stopped by a responder — no verdict",
        }
    }
}

/// One pre-flight check as it was shown before the fault was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckMark {
    /// What was checked.
    pub label: String,
    /// Whether it passed.
    pub ok: bool,
    /// The detail shown.
    pub detail: String,
}

/// The abort query's answer that stopped an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbortEvidence {
    /// The query asked.
    pub query: String,
    /// The first value it answered.
    pub value: f64,
    /// The series that answered, in PromQL's `{a="b"}` form.
    pub series: String,
    /// When.
    #[serde(with = "millis_serde")]
    pub at: Timestamp,
}

/// One answer of the abort query: the largest value, or none (empty).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// When it was asked.
    #[serde(with = "millis_serde")]
    pub at: Timestamp,
    /// The largest value answered; `None` when the answer was empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// The time the humans held the critical path, step by step: from the
/// injection (or the previous step's tick or run) to a step's tick or run,
/// less the time commands were running. Skipped steps never count; it
/// stops at recovery.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HumanClock {
    /// Steps taken after the injection, in order.
    pub steps: Vec<StepTime>,
    /// When the current step became the next one; `None` before injection.
    since: Option<Timestamp>,
    /// Command time since then.
    machine_ms: u64,
    /// Commands running now, by step and command, since when.
    running: BTreeMap<(StepAt, String), Timestamp>,
    taken: BTreeSet<StepAt>,
    stopped: bool,
}

impl HumanClock {
    fn start(&mut self, at: Timestamp) {
        if self.since.is_none() && !self.stopped {
            self.since = Some(at);
        }
    }

    fn stop(&mut self) {
        self.stopped = true;
    }

    fn took(&mut self, step: &StepAt, words: String, at: Timestamp) {
        let Some(since) = self.since.filter(|_| !self.stopped) else {
            return;
        };
        if !self.taken.insert(step.clone()) || at < since {
            return;
        }
        let span = ms_between(since, at);
        let machine = self.machine_ms.min(span);
        self.steps.push(StepTime {
            step: words,
            from: since,
            to: at,
            machine_ms: machine,
            human_ms: span - machine,
        });
        self.since = Some(at);
        self.machine_ms = 0;
    }

    fn run_started(&mut self, key: (StepAt, String), at: Timestamp) {
        self.running.insert(key, at);
    }

    fn run_finished(&mut self, key: &(StepAt, String), at: Timestamp, duration_ms: u64) {
        let started = self.running.remove(key);
        if self.stopped {
            return;
        }
        // Only the part after the current step became next is its time.
        let within = match (self.since, started) {
            (Some(since), Some(s)) if s < since => ms_between(since, at).min(duration_ms),
            (Some(_), _) => duration_ms,
            (None, _) => 0,
        };
        self.machine_ms += within;
    }

    /// The human action time so far, the current step included at `now`.
    pub fn total(&self, now: Timestamp) -> u64 {
        let done: u64 = self.steps.iter().map(|s| s.human_ms).sum();
        let Some(since) = self.since.filter(|_| !self.stopped) else {
            return done;
        };
        let running: u64 = self
            .running
            .values()
            .map(|s| ms_between((*s).max(since), now))
            .sum();
        let current = ms_between(since, now).saturating_sub(self.machine_ms + running);
        done + current
    }

    /// The steps that took the most human time, slowest first.
    pub fn slowest(&self, n: usize) -> Vec<StepTime> {
        let mut v = self.steps.clone();
        v.sort_by(|a, b| b.human_ms.cmp(&a.human_ms).then(a.from.cmp(&b.from)));
        v.truncate(n);
        v
    }
}

fn ms_between(from: Timestamp, to: Timestamp) -> u64 {
    u64::try_from(to.duration_since(from).as_millis()).unwrap_or(0)
}

/// An exercise's state, folded from its events.
#[derive(Debug, Clone, PartialEq)]
pub struct ExerciseState {
    /// What was declared.
    pub plan: Exercise,
    /// The fault was injected: RTO starts.
    pub injected: Option<(Mark, String)>,
    /// The service recovered: RTO stops.
    pub recovered: Option<(Mark, String)>,
    /// Data lost, in ms, and how it was known.
    pub rpo: Option<(u64, String)>,
    /// The human action time.
    pub human: HumanClock,
    /// The score, once the drill ended.
    pub score: Option<DrillScore>,
    /// A game-day's pre-flight, as passed when it started.
    pub started: Option<(Mark, Vec<CheckMark>)>,
    /// A game-day's end.
    pub ended: Option<Ended>,
}

/// How and when a game-day ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Ended {
    /// Who ended it (or the cockpit) and when.
    pub mark: Mark,
    /// The outcome.
    pub outcome: Outcome,
    /// Why, in words.
    pub why: String,
    /// The abort query's answer that stopped it.
    pub evidence: Option<AbortEvidence>,
    /// The abort query's answers over the window.
    pub series: Vec<Sample>,
}

impl ExerciseState {
    /// A freshly declared exercise.
    pub fn new(plan: Exercise) -> Self {
        ExerciseState {
            plan,
            injected: None,
            recovered: None,
            rpo: None,
            human: HumanClock::default(),
            score: None,
            started: None,
            ended: None,
        }
    }

    /// Injection to recovery (or to `now` while it runs).
    pub fn rto_ms(&self, now: Timestamp) -> Option<u64> {
        let (inj, _) = self.injected.as_ref()?;
        let end = self.recovered.as_ref().map_or(now, |(m, _)| m.at);
        Some(ms_between(inj.at, end))
    }

    /// The window's end, once a game-day started.
    pub fn window_ends(&self) -> Option<Timestamp> {
        let plan = self.plan.gameday()?;
        let (m, _) = self.started.as_ref()?;
        let ms = i64::try_from(plan.window_ms).unwrap_or(i64::MAX);
        m.at.checked_add(jiff::SignedDuration::from_millis(ms)).ok()
    }

    /// Folds one event of the exercise; `step` is where a step event is
    /// kept and `words` how it reads.
    pub(super) fn apply(&mut self, e: &Event, step: Option<(StepAt, String)>) {
        let mark = Mark {
            at: e.effective(),
            by: e.author.clone(),
        };
        match &e.kind {
            EventKind::Injected { how } if self.injected.is_none() => {
                self.human.start(mark.at);
                self.injected = Some((mark, how.clone()));
            }
            EventKind::Recovered { how } if self.injected.is_some() && self.recovered.is_none() => {
                self.human.stop();
                self.recovered = Some((mark, how.clone()));
            }
            // Data lost is the worst measurement: a later, smaller one (a
            // hand-typed `:rpo 0s`) cannot talk a loss away.
            EventKind::RpoMeasured { lost_ms, how }
                if self.rpo.as_ref().is_none_or(|(ms, _)| *lost_ms > *ms) =>
            {
                self.rpo = Some((*lost_ms, how.clone()));
            }
            EventKind::DrillScored { score } => self.score = Some((**score).clone()),
            EventKind::ExperimentStarted { checks } => {
                self.started.get_or_insert((mark, checks.clone()));
            }
            EventKind::ExperimentEnded {
                outcome,
                why,
                evidence,
                series,
            } => {
                self.ended.get_or_insert(Ended {
                    mark,
                    outcome: *outcome,
                    why: why.clone(),
                    evidence: evidence.clone(),
                    series: series.clone(),
                });
            }
            EventKind::StepDone { .. } | EventKind::StepVerified { .. } => {
                if let Some((at, words)) = step {
                    self.human.took(&at, words, mark.at);
                }
            }
            EventKind::CommandStarted {
                purpose, command, ..
            } => {
                if let Some((at, words)) = step {
                    self.human
                        .run_started((at.clone(), command.clone()), mark.at);
                    if matches!(purpose, super::Purpose::Run | super::Purpose::Query) {
                        self.human.took(&at, words, mark.at);
                    }
                }
            }
            EventKind::CommandFinished {
                command,
                duration_ms,
                ..
            } => {
                if let Some((at, _)) = step {
                    self.human
                        .run_finished(&(at, command.clone()), mark.at, *duration_ms);
                }
            }
            _ => {}
        }
    }
}
