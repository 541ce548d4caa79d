//! What happened: the kinds of events, with what each records and how each
//! reads in a timeline.

use serde::{Deserialize, Serialize};

use super::exercise::{AbortEvidence, CheckMark, Exercise, Outcome, Sample};
use super::{AlertRef, Audience, Role, RunbookRef};
use crate::domain::alert::AlertState;
use crate::domain::exercise::drill::DrillScore;
use crate::domain::severity::Sev;
use crate::domain::time::millis_serde;
use jiff::Timestamp;

/// What happened. New kinds may be added; old journals stay readable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// First event of every journal.
    Declared {
        /// Incident id; also the journal's file name.
        id: String,
        /// One line saying what is wrong, from the alert's summary.
        title: String,
        /// Severity at declaration.
        severity: Sev,
        /// The alert that started it.
        alert: AlertRef,
        /// The checklist in force, if a runbook matched.
        runbook: Option<RunbookRef>,
        /// A drill or game-day, with what it froze at the start; absent for
        /// a real incident.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exercise: Option<Box<Exercise>>,
    },
    /// Someone owns the response.
    Acknowledged,
    /// The severity was re-rated.
    SeverityChanged {
        /// Severity before.
        from: Sev,
        /// Severity after.
        to: Sev,
    },
    /// A runbook step was done.
    StepDone {
        /// The version of the runbook it was done in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<String>,
        /// Step id within the runbook.
        step: String,
        /// Section heading, so the export reads well without the runbook.
        section: String,
        /// Step text at the time.
        text: String,
        /// The runbook the step is in (absent in journals from before
        /// several runbooks could be attached: the one in force then).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runbook: Option<String>,
        /// The step's stable key (absent in older journals, where the
        /// positional step id names it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
    /// A step ticked by mistake was unticked; the tick stays in the history.
    StepUndone {
        /// The version of the runbook it was undone in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<String>,
        /// Step id within the runbook.
        step: String,
        /// Section heading.
        section: String,
        /// Step text at the time.
        text: String,
        /// The runbook the step is in (absent in journals from before
        /// several runbooks could be attached: the one in force then).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runbook: Option<String>,
        /// The step's stable key (absent in older journals, where the
        /// positional step id names it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
    /// A responder's note (backdated through the event's `at`).
    Note {
        /// The note, possibly several lines.
        text: String,
    },
    /// Someone took an incident role.
    RoleAssigned {
        /// The role.
        role: Role,
        /// Who holds it now.
        name: String,
    },
    /// A status update was sent (or is ready to send) to an audience.
    StatusUpdate {
        /// Who it is for.
        audience: Audience,
        /// The update as written.
        text: String,
    },
    /// A follow-up to do after the incident.
    ActionItem {
        /// What to do.
        text: String,
        /// Who will do it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        /// By when.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<jiff::civil::Date>,
        /// Tracker reference.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ticket: Option<String>,
    },
    /// A severity deadline passed unmet (recorded once per deadline).
    DeadlineMissed {
        /// Which deadline.
        clock: crate::domain::policy::ClockKind,
        /// When it fell due.
        #[serde(with = "millis_serde")]
        due: Timestamp,
    },
    /// The impact has stopped.
    Mitigated,
    /// The incident is over.
    Resolved,
    /// Work resumed on a resolved incident.
    Reopened,
    /// An alert of this incident fired, resolved, or was silenced or inhibited,
    /// as the alert source reported it. Authored by the source, not a person.
    AlertChanged {
        /// The alert's fingerprint.
        fingerprint: String,
        /// The alert's name.
        name: String,
        /// Its new state.
        state: AlertState,
        /// Silences muting it, when silenced.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        silenced_by: Vec<String>,
    },
    /// A responder created a silence from the cockpit.
    SilenceCreated {
        /// Alertmanager's id for it, needed to expire it.
        silence_id: String,
        /// Name of the alert it mutes.
        alert: String,
        /// Fingerprint of that alert.
        fingerprint: String,
        /// When it ends.
        #[serde(with = "millis_serde")]
        until: Timestamp,
    },
    /// A responder expired a silence.
    SilenceExpired {
        /// The silence's id.
        silence_id: String,
    },
    /// The checklist was switched to another runbook.
    RunbookAttached {
        /// The new checklist.
        runbook: RunbookRef,
    },
    /// A runbook command was started from the cockpit (after confirming).
    CommandStarted {
        /// The runbook's own command, when the responder edited it before
        /// running (what ran is `command`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        original: Option<String>,
        /// The step it belongs to.
        step: String,
        /// The command as run, placeholders filled.
        command: String,
        /// The step's own command, its verify check or its rollback.
        purpose: Purpose,
        /// The runbook the step is in (absent in journals from before
        /// several runbooks could be attached: the one in force then).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runbook: Option<String>,
        /// The step's stable key (absent in older journals, where the
        /// positional step id names it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
    /// A runbook command ended.
    CommandFinished {
        /// The runbook's own command, when the responder edited it before
        /// running (what ran is `command`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        original: Option<String>,
        /// The step it belongs to.
        step: String,
        /// The command as run.
        command: String,
        /// The step's own command, its verify check or its rollback.
        purpose: Purpose,
        /// How it ended.
        outcome: RunOutcome,
        /// How long it ran, in milliseconds.
        duration_ms: u64,
        /// The end of its output, sanitised and bounded.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        output: String,
        /// Output lines left out of `output` (kept only on screen).
        #[serde(default, skip_serializing_if = "is_zero")]
        omitted: usize,
        /// The runbook the step is in (absent in journals from before
        /// several runbooks could be attached: the one in force then).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runbook: Option<String>,
        /// The step's stable key (absent in older journals, where the
        /// positional step id names it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
    /// A step's postcondition was confirmed: its verify command succeeded or
    /// its verify query returned data. The step counts as done.
    StepVerified {
        /// The step.
        step: String,
        /// How it was confirmed, in words.
        how: String,
        /// The runbook the step is in (absent in journals from before
        /// several runbooks could be attached: the one in force then).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runbook: Option<String>,
        /// The step's stable key (absent in older journals, where the
        /// positional step id names it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
    /// A responder ran or ticked a step before the steps it requires.
    GateOverridden {
        /// The step.
        step: String,
        /// Required steps that were not done.
        missing: Vec<String>,
        /// The runbook the step is in (absent in journals from before
        /// several runbooks could be attached: the one in force then).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runbook: Option<String>,
        /// The step's stable key (absent in older journals, where the
        /// positional step id names it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
    /// A responder followed a "go to step N" branch.
    BranchTaken {
        /// Step the branch was written in.
        from: String,
        /// Step it led to.
        to: String,
        /// The branch as written.
        label: String,
    },
    /// A responder changed the cluster from the cockpit (after confirming).
    ClusterAction {
        /// What was asked, in words (`delete pod shop/x …`).
        action: String,
        /// Whether the API server accepted it.
        ok: bool,
        /// What the server did, or why it refused.
        outcome: String,
    },
    /// A drill's fault was injected (its `inject: true` step, or `:inject`):
    /// the RTO clock starts.
    Injected {
        /// How: the step, or by hand.
        how: String,
    },
    /// A drill's service works again (its recovered query answered, or
    /// `:recovered`): the RTO clock stops.
    Recovered {
        /// How it was known.
        how: String,
    },
    /// How much data a drill lost (its rpo query at recovery, or `:rpo`).
    RpoMeasured {
        /// Data lost, in milliseconds.
        lost_ms: u64,
        /// How it was known.
        how: String,
    },
    /// A drill ended and was scored.
    DrillScored {
        /// The score, with the targets and earlier drills it was compared with.
        score: Box<DrillScore>,
    },
    /// A game-day's pre-flight passed and its name was typed: the fault is
    /// applied next.
    ExperimentStarted {
        /// The pre-flight checklist as shown.
        checks: Vec<CheckMark>,
    },
    /// A responder pinned what they saw (a chart), with a caption.
    Evidence {
        /// Why it matters, in the responder's words (may be empty).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        caption: String,
        /// What was pinned, as it was.
        pinned: super::evidence::Pinned,
    },
    /// The incident's main metric over its whole window, recorded when it
    /// was resolved (and on `:export` before that): the postmortem draws it
    /// from the journal, so an export never depends on asking Prometheus.
    MetricWindow {
        /// The chart, downsampled like a pinned one.
        chart: super::evidence::PinnedChart,
    },
    /// This host began sharing the incident through the cluster. What it
    /// says of command output decides, on every host alike, whether the
    /// output of this host's commands appears in the postmortem: the
    /// export shows what every host could see, so all exports match.
    Shared {
        /// The share namespace.
        namespace: String,
        /// Command output is published too (`share: {output: true}`).
        output: bool,
    },
    /// Two incidents for one alert, declared on different hosts while the
    /// cluster was away, became one: recorded in both journals.
    Merged {
        /// The incident whose entries moved.
        from: String,
        /// The incident that goes on (the one the cluster's claim names).
        into: String,
        /// How many entries moved.
        entries: usize,
    },
    /// A game-day ended.
    ExperimentEnded {
        /// Held, failed, aborted or stopped.
        outcome: Outcome,
        /// Why, in words.
        why: String,
        /// The abort query's answer that stopped it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence: Option<AbortEvidence>,
        /// The abort query's answers over the window.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        series: Vec<Sample>,
    },
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Why a runbook command was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// One of the step's own commands.
    Run,
    /// The contract's `verify` check.
    Verify,
    /// The contract's `rollback`.
    Rollback,
    /// One of the step's PromQL queries, asked of Prometheus (never a shell).
    Query,
}

impl Purpose {
    /// Name as journaled and exported: `run`, `verify`, `rollback`.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Run => "run",
            Purpose::Verify => "verify",
            Purpose::Rollback => "rollback",
            Purpose::Query => "query",
        }
    }

    /// How a timeline row begins once it ended: `Ran`, `Verify of`, ...
    pub fn done(self) -> &'static str {
        match self {
            Purpose::Run => "Ran",
            Purpose::Verify => "Verify of",
            Purpose::Rollback => "Rolled back",
            Purpose::Query => "Queried for",
        }
    }
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// It exited with this status.
    Exited(i32),
    /// A signal ended it (not one the cockpit sent).
    Signalled(i32),
    /// It ran past its timeout and was stopped.
    TimedOut,
    /// The responder stopped it (Ctrl-C).
    Cancelled,
    /// It could not be started.
    NotStarted(String),
    /// A query answered with this many series.
    Answered(usize),
    /// A query was refused or could not be asked: why.
    Refused(String),
}

impl RunOutcome {
    /// Exit status 0.
    pub fn is_success(&self) -> bool {
        matches!(self, RunOutcome::Exited(0) | RunOutcome::Answered(_))
    }

    /// A short phrase: `exit 0`, `timed out`, ...
    pub fn describe(&self) -> String {
        match self {
            RunOutcome::Exited(c) => format!("exit {c}"),
            RunOutcome::Signalled(s) => format!("killed by signal {s}"),
            RunOutcome::TimedOut => "timed out".into(),
            RunOutcome::Cancelled => "stopped by the responder".into(),
            RunOutcome::NotStarted(e) => format!("could not start: {e}"),
            RunOutcome::Answered(1) => "1 series".into(),
            RunOutcome::Answered(n) => format!("{n} series"),
            RunOutcome::Refused(e) => format!("not answered: {e}"),
        }
    }
}

impl EventKind {
    /// Events a source or the cockpit observed rather than a person did.
    pub fn is_observed(&self) -> bool {
        matches!(
            self,
            EventKind::AlertChanged { .. } | EventKind::DeadlineMissed { .. }
        )
    }
}
