//! Incident events and the fold that turns a journal into the incident's state.
//! State is never stored: it is recomputed from events, so replay and export are
//! deterministic and every cockpit agrees.
//!
//! # The event model
//!
//! Every journal line is one [`Event`]:
//! - `v`, the schema version ([`SCHEMA_VERSION`]; lines without one are version 1);
//! - `event_id`, globally unique and lowercase: a UUIDv7 given when the line is written,
//!   or, for a fact several cockpits may each observe (an alert changing state, a
//!   deadline missed, a verify query turning green), a UUIDv5 derived from the
//!   fact ([`fact_id`]) so the fold counts it once. Lines written before ids
//!   existed get one derived from their file and line ([`line_id`]);
//! - `host`, the machine that wrote it;
//! - `ts`, when it was written, and `at`, when what it describes happened if
//!   that was earlier (a backdated note). The *effective time* is `at` where
//!   given, else `ts` ([`Event::effective`]);
//! - `author` and the kind with its details.
//!
//! Events have one total order ([`Event::order`]): effective time, then write
//! time, then id. No event is larger than [`MAX_EVENT_BYTES`] once written;
//! longer text is cut visibly when it is written ([`Event::bounded`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::alert::{Alert, AlertState};
use super::runbook::Runbook;
use super::severity::Sev;
use super::time::millis_serde;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 2;

/// The largest event warroom writes, as a JSON line.
pub const MAX_EVENT_BYTES: usize = 1 << 20;

fn legacy_version() -> u32 {
    1
}

/// One journal line: when, who, what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Schema version; 1 for lines written before it was recorded.
    #[serde(default = "legacy_version")]
    pub v: u32,
    /// Globally unique, lowercase id; empty until the event is written.
    /// Written as `event_id` (a declaration's `id` is the incident's).
    #[serde(rename = "event_id", default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The machine that wrote it; empty until the event is written.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host: String,
    #[serde(with = "millis_serde")]
    /// When it was written, UTC, to the millisecond.
    pub ts: Timestamp,
    /// When what it describes happened, when reported late (`:note @14:32`);
    /// `ts` stays the time it was written.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_millis")]
    pub at: Option<Timestamp>,
    /// Who did it (the responder's configured name).
    pub author: String,
    #[serde(flatten)]
    /// What happened, with its details flattened into the same JSON object.
    pub kind: EventKind,
}

/// The namespace of warroom's derived ids (UUIDv5).
const ID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6a0e_52d1_7c4b_4f3e_9b1a_2c8d_5e7f_9a01);

/// A new unique id: a lowercase UUIDv7, ordered by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().hyphenated().to_string()
}

/// The id of a fact several cockpits may record: the same fact gives the
/// same id on every host.
pub fn fact_id(incident: &str, fact: &str) -> String {
    uuid::Uuid::new_v5(
        &ID_NAMESPACE,
        format!("fact\n{incident}\n{fact}").as_bytes(),
    )
    .hyphenated()
    .to_string()
}

/// The id of a line written before ids existed: derived from the journal's
/// file name and the line number, so it is the same on every read.
pub fn line_id(file: &str, line: usize) -> String {
    uuid::Uuid::new_v5(&ID_NAMESPACE, format!("line\n{file}\n{line}").as_bytes())
        .hyphenated()
        .to_string()
}

impl Event {
    /// An event of this build's schema, written at `ts` by `author`; its id
    /// and host are given when it is written, unless set before.
    pub fn new(ts: Timestamp, author: String, kind: EventKind) -> Self {
        Event {
            v: SCHEMA_VERSION,
            id: String::new(),
            host: String::new(),
            ts,
            at: None,
            author,
            kind,
        }
    }

    /// The same event, about an earlier moment.
    pub fn about(mut self, at: Option<Timestamp>) -> Self {
        self.at = at;
        self
    }

    /// The same event as a fact of `incident` that other cockpits may also
    /// record: its id is derived from `fact`.
    pub fn as_fact(mut self, incident: &str, fact: &str) -> Self {
        self.id = fact_id(incident, fact);
        self
    }

    /// When what it describes happened: `at` where given, else `ts`.
    pub fn effective(&self) -> Timestamp {
        self.at.unwrap_or(self.ts)
    }

    /// The total order of events: effective time, then write time, then id.
    pub fn order(&self, other: &Event) -> std::cmp::Ordering {
        self.effective()
            .cmp(&other.effective())
            .then(self.ts.cmp(&other.ts))
            .then_with(|| self.id.cmp(&other.id))
    }

    /// One line for timelines and drafts, saying when a backdated event
    /// happened.
    pub fn describe(&self) -> String {
        match (&self.kind, self.at) {
            (EventKind::Note { text }, Some(at)) => {
                format!("Note (about {} UTC): {text}", super::time::utc_clock(at))
            }
            (kind, Some(at)) => format!(
                "{} (about {} UTC)",
                kind.describe(),
                super::time::utc_clock(at)
            ),
            (kind, None) => kind.describe(),
        }
    }

    /// The same event cut to fit [`MAX_EVENT_BYTES`]: the longest texts are
    /// shortened, each ending with a note of how much was cut.
    pub fn bounded(mut self) -> Event {
        for _ in 0..32 {
            let size = serde_json::to_vec(&self).map_or(0, |v| v.len());
            if size <= MAX_EVENT_BYTES {
                break;
            }
            let over = size - MAX_EVENT_BYTES;
            let Some(longest) = self
                .kind
                .texts_mut()
                .into_iter()
                .filter(|t| t.len() > CUT_MARK_ROOM)
                .max_by_key(|t| t.len())
            else {
                break;
            };
            let keep = longest.len().saturating_sub(over + CUT_MARK_ROOM);
            let keep = (0..=keep)
                .rev()
                .find(|i| longest.is_char_boundary(*i))
                .unwrap_or(0);
            let cut = longest.len() - keep;
            longest.truncate(keep);
            longest.push_str(&format!(" … [{cut} bytes cut: events are at most 1 MiB]"));
        }
        self
    }
}

/// Room left for the note that says how much was cut.
const CUT_MARK_ROOM: usize = 64;

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
        /// Step id within the runbook.
        step: String,
        /// Section heading, so the export reads well without the runbook.
        section: String,
        /// Step text at the time.
        text: String,
    },
    /// A step ticked by mistake was unticked; the tick stays in the history.
    StepUndone {
        /// Step id within the runbook.
        step: String,
        /// Section heading.
        section: String,
        /// Step text at the time.
        text: String,
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
        clock: super::policy::ClockKind,
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
        /// The step it belongs to.
        step: String,
        /// The command as run, placeholders filled.
        command: String,
        /// The step's own command, its verify check or its rollback.
        purpose: Purpose,
    },
    /// A runbook command ended.
    CommandFinished {
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
    },
    /// A step's postcondition was confirmed: its verify command succeeded or
    /// its verify query returned data. The step counts as done.
    StepVerified {
        /// The step.
        step: String,
        /// How it was confirmed, in words.
        how: String,
    },
    /// A responder ran or ticked a step before the steps it requires.
    GateOverridden {
        /// The step.
        step: String,
        /// Required steps that were not done.
        missing: Vec<String>,
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
}

/// A multi-line command on one line, for the timeline.
fn one_line(command: &str) -> String {
    let mut lines = command.lines();
    let first = lines.next().unwrap_or_default();
    match lines.count() {
        0 => format!("`{first}`"),
        n => format!("`{first}` (+{n} lines)"),
    }
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
}

impl Purpose {
    /// Name as journaled and exported: `run`, `verify`, `rollback`.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Run => "run",
            Purpose::Verify => "verify",
            Purpose::Rollback => "rollback",
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
}

impl RunOutcome {
    /// Exit status 0.
    pub fn is_success(&self) -> bool {
        *self == RunOutcome::Exited(0)
    }

    /// A short phrase: `exit 0`, `timed out`, ...
    pub fn describe(&self) -> String {
        match self {
            RunOutcome::Exited(c) => format!("exit {c}"),
            RunOutcome::Signalled(s) => format!("killed by signal {s}"),
            RunOutcome::TimedOut => "timed out".into(),
            RunOutcome::Cancelled => "stopped by the responder".into(),
            RunOutcome::NotStarted(e) => format!("could not start: {e}"),
        }
    }
}

impl EventKind {
    /// The free texts of the event, longest first to cut when it is too big.
    fn texts_mut(&mut self) -> Vec<&mut String> {
        match self {
            EventKind::Declared { title, .. } => vec![title],
            EventKind::StepDone { text, .. } | EventKind::StepUndone { text, .. } => vec![text],
            EventKind::Note { text } => vec![text],
            EventKind::StatusUpdate { text, .. } => vec![text],
            EventKind::ActionItem { text, .. } => vec![text],
            EventKind::CommandStarted { command, .. } => vec![command],
            EventKind::CommandFinished {
                command, output, ..
            } => vec![output, command],
            EventKind::StepVerified { how, .. } => vec![how],
            EventKind::ClusterAction {
                action, outcome, ..
            } => vec![outcome, action],
            EventKind::BranchTaken { label, .. } => vec![label],
            EventKind::RoleAssigned { name, .. } => vec![name],
            EventKind::Acknowledged
            | EventKind::SeverityChanged { .. }
            | EventKind::DeadlineMissed { .. }
            | EventKind::Mitigated
            | EventKind::Resolved
            | EventKind::Reopened
            | EventKind::AlertChanged { .. }
            | EventKind::SilenceCreated { .. }
            | EventKind::SilenceExpired { .. }
            | EventKind::RunbookAttached { .. }
            | EventKind::GateOverridden { .. } => Vec::new(),
        }
    }

    /// Events a source or the cockpit observed rather than a person did.
    pub fn is_observed(&self) -> bool {
        matches!(
            self,
            EventKind::AlertChanged { .. } | EventKind::DeadlineMissed { .. }
        )
    }
}

/// Incident roles, as incident command assigns them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Incident commander: runs the response.
    Ic,
    /// Communications: writes the status updates.
    Comms,
    /// Operations: hands on the systems.
    Ops,
    /// Scribe: keeps the timeline.
    Scribe,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 4] = [Role::Ic, Role::Comms, Role::Ops, Role::Scribe];

    /// Short name as typed in `:role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Ic => "ic",
            Role::Comms => "comms",
            Role::Ops => "ops",
            Role::Scribe => "scribe",
        }
    }

    /// Title for panes and exports.
    pub fn title(self) -> &'static str {
        match self {
            Role::Ic => "Incident commander",
            Role::Comms => "Communications",
            Role::Ops => "Operations",
            Role::Scribe => "Scribe",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "ic" | "commander" => Ok(Role::Ic),
            "comms" | "communications" => Ok(Role::Comms),
            "ops" | "operations" => Ok(Role::Ops),
            "scribe" => Ok(Role::Scribe),
            other => Err(format!(
                "unknown role '{other}': use ic, comms, ops or scribe"
            )),
        }
    }
}

/// Who a status update is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Colleagues and stakeholders inside the company.
    Internal,
    /// Customers (status page).
    External,
}

impl Audience {
    /// Lower-case word.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Internal => "internal",
            Audience::External => "external",
        }
    }
}

/// Serde for an optional millisecond timestamp.
mod opt_millis {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ts: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match ts {
            Some(t) => super::millis_serde::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| s.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// The alert an incident was declared for, frozen at declaration time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRef {
    /// The alert's name.
    pub name: String,
    /// Identity used to find the open incident for the same alert.
    pub fingerprint: String,
    /// All labels, to fill runbook placeholders when the incident is reopened.
    pub labels: BTreeMap<String, String>,
    /// The alert's summary annotation.
    pub summary: String,
    #[serde(with = "millis_serde")]
    /// When the alert started firing, the detection time.
    pub starts_at: Timestamp,
}

impl AlertRef {
    /// Freezes what matters of an alert.
    pub fn from_alert(a: &Alert) -> Self {
        AlertRef {
            name: a.name().to_string(),
            fingerprint: a.fingerprint.clone(),
            labels: a.labels.clone(),
            summary: a.summary().to_string(),
            starts_at: a.starts_at,
        }
    }
}

/// The runbook's checklist as it was when the incident was declared, so the
/// export lists steps not done even if the file changes later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunbookRef {
    /// Runbook id.
    pub id: String,
    /// Runbook title.
    pub title: String,
    /// Every step, in order.
    pub steps: Vec<StepRef>,
}

/// One step of a [`RunbookRef`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRef {
    /// Step id (`check-1`, ...).
    pub id: String,
    /// Section heading.
    pub section: String,
    /// Step text.
    pub text: String,
}

impl RunbookRef {
    /// Freezes a runbook's checklist.
    pub fn from_runbook(rb: &Runbook) -> Self {
        RunbookRef {
            id: rb.id.clone(),
            title: rb.title.clone(),
            steps: rb
                .steps()
                .map(|(sec, st)| StepRef {
                    id: st.id.clone(),
                    section: sec.heading.clone(),
                    text: st.text.clone(),
                })
                .collect(),
        }
    }
}

/// Where the incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Declared and not yet mitigated.
    Investigating,
    /// Impact stopped; cause may remain.
    Mitigated,
    /// Over.
    Resolved,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Investigating => "investigating",
            Status::Mitigated => "mitigated",
            Status::Resolved => "resolved",
        })
    }
}

/// Who did something, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub by: String,
}

/// The state of a checklist step after the fold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepMark {
    /// Done after the latest tick or untick.
    pub done: bool,
    /// Who last changed it, and when.
    pub mark: Mark,
}

/// An incident as its events say it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// Incident id.
    pub id: String,
    /// One line saying what is wrong.
    pub title: String,
    /// Current severity.
    pub severity: Sev,
    /// Current status.
    pub status: Status,
    /// The alert it was declared for.
    pub alert: AlertRef,
    /// The checklist in force.
    pub runbook: Option<RunbookRef>,
    /// Declaration time and who declared.
    pub declared: Mark,
    /// First acknowledgement.
    pub acknowledged: Option<Mark>,
    /// First mitigation.
    pub mitigated: Option<Mark>,
    /// Latest resolution (cleared by a reopen).
    pub resolved: Option<Mark>,
    /// Latest state of each step that was ever ticked.
    pub steps: BTreeMap<String, StepMark>,
    /// Everyone who recorded anything.
    pub responders: BTreeSet<String>,
    /// Notes in order.
    pub notes: Vec<(Mark, String)>,
    /// Last known state of each of the incident's alerts, by fingerprint.
    pub alerts: BTreeMap<String, AlertState>,
    /// Silences created from the cockpit, by id, in creation order of ids.
    pub silences: BTreeMap<String, SilenceMark>,
    /// Current holder of each role, and when they took it.
    pub roles: BTreeMap<Role, (String, Mark)>,
    /// Status updates in order.
    pub updates: Vec<UpdateMark>,
    /// Follow-up action items in order.
    pub actions: Vec<ActionMark>,
    /// Deadlines already recorded as missed, by clock and due time.
    pub missed: BTreeSet<(super::policy::ClockKind, Timestamp)>,
    /// The latest command run for each step (running while `outcome` is none).
    pub runs: BTreeMap<String, RunMark>,
    /// Steps whose postcondition was confirmed, with how.
    pub verified: BTreeMap<String, (Mark, String)>,
    /// Steps whose gate a responder overrode.
    pub overridden: BTreeMap<String, Mark>,
    /// Ids of the events folded so far, so a fact recorded by several
    /// cockpits counts once.
    pub seen: std::collections::HashSet<String>,
}

/// A command run for a step, as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMark {
    /// Who started it and when.
    pub mark: Mark,
    /// The step's command, its verify check or its rollback.
    pub purpose: Purpose,
    /// The command as run.
    pub command: String,
    /// How it ended; `None` while it runs.
    pub outcome: Option<RunOutcome>,
    /// How long it ran.
    pub duration_ms: u64,
}

/// A status update as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateMark {
    /// Who sent it and when.
    pub mark: Mark,
    /// Who it was for.
    pub audience: Audience,
    /// The text.
    pub text: String,
}

/// An action item as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionMark {
    /// Who added it and when.
    pub mark: Mark,
    /// What to do.
    pub text: String,
    /// Who will do it.
    pub owner: Option<String>,
    /// By when.
    pub due: Option<jiff::civil::Date>,
    /// Tracker reference.
    pub ticket: Option<String>,
}

/// A silence this incident created.
#[derive(Debug, Clone, PartialEq)]
pub struct SilenceMark {
    /// Who created it and when.
    pub created: Mark,
    /// Name of the muted alert.
    pub alert: String,
    /// Fingerprint of the muted alert.
    pub fingerprint: String,
    /// When it ends by itself.
    pub until: Timestamp,
    /// Set when a responder expired it early.
    pub expired: Option<Mark>,
}

impl SilenceMark {
    /// Still muting at `now`.
    pub fn active(&self, now: Timestamp) -> bool {
        self.expired.is_none() && self.until > now
    }
}

/// Why a journal could not be folded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    #[error("the journal is empty")]
    /// No events at all.
    Empty,
    #[error("the journal does not start with a declaration")]
    /// Events exist but the first is not a declaration.
    NoDeclaration,
}

impl Incident {
    /// Folds a whole journal.
    pub fn fold(events: &[Event]) -> Result<Incident, FoldError> {
        let (first, rest) = events.split_first().ok_or(FoldError::Empty)?;
        let mut inc = Incident::declare(first).ok_or(FoldError::NoDeclaration)?;
        for e in rest {
            inc.apply(e);
        }
        Ok(inc)
    }

    fn declare(e: &Event) -> Option<Incident> {
        let EventKind::Declared {
            id,
            title,
            severity,
            alert,
            runbook,
        } = &e.kind
        else {
            return None;
        };
        Some(Incident {
            id: id.clone(),
            title: title.clone(),
            severity: *severity,
            status: Status::Investigating,
            alert: alert.clone(),
            runbook: runbook.clone(),
            declared: mark(e),
            acknowledged: None,
            mitigated: None,
            resolved: None,
            steps: BTreeMap::new(),
            responders: [e.author.clone()].into(),
            notes: Vec::new(),
            alerts: [(alert.fingerprint.clone(), AlertState::Firing)].into(),
            silences: BTreeMap::new(),
            roles: BTreeMap::new(),
            updates: Vec::new(),
            actions: Vec::new(),
            missed: BTreeSet::new(),
            runs: BTreeMap::new(),
            verified: BTreeMap::new(),
            overridden: BTreeMap::new(),
            seen: [e.id.clone()]
                .into_iter()
                .filter(|i| !i.is_empty())
                .collect(),
        })
    }

    /// Applies one later event. A repeated declaration changes nothing, and
    /// neither does an event whose id was folded already.
    pub fn apply(&mut self, e: &Event) {
        if !e.id.is_empty() && !self.seen.insert(e.id.clone()) {
            return;
        }
        if !e.kind.is_observed() {
            self.responders.insert(e.author.clone());
        }
        match &e.kind {
            EventKind::Declared { .. } => {}
            EventKind::Acknowledged => {
                self.acknowledged.get_or_insert_with(|| mark(e));
            }
            EventKind::SeverityChanged { to, .. } => self.severity = *to,
            EventKind::StepDone { step, .. } => {
                self.steps.insert(
                    step.clone(),
                    StepMark {
                        done: true,
                        mark: mark(e),
                    },
                );
            }
            EventKind::StepUndone { step, .. } => {
                self.steps.insert(
                    step.clone(),
                    StepMark {
                        done: false,
                        mark: mark(e),
                    },
                );
            }
            EventKind::Note { text } => {
                // A backdated note sorts by when it happened, not when written.
                let m = Mark {
                    at: e.effective(),
                    by: e.author.clone(),
                };
                let pos = self.notes.partition_point(|(n, _)| n.at <= m.at);
                self.notes.insert(pos, (m, text.clone()));
            }
            EventKind::RoleAssigned { role, name } => {
                self.roles.insert(*role, (name.clone(), mark(e)));
            }
            EventKind::StatusUpdate { audience, text } => self.updates.push(UpdateMark {
                mark: mark(e),
                audience: *audience,
                text: text.clone(),
            }),
            EventKind::ActionItem {
                text,
                owner,
                due,
                ticket,
            } => self.actions.push(ActionMark {
                mark: mark(e),
                text: text.clone(),
                owner: owner.clone(),
                due: *due,
                ticket: ticket.clone(),
            }),
            EventKind::DeadlineMissed { clock, due } => {
                self.missed.insert((*clock, *due));
            }
            EventKind::Mitigated => {
                self.mitigated.get_or_insert_with(|| mark(e));
                // Mitigating implies someone is on it.
                self.acknowledged.get_or_insert_with(|| mark(e));
                if self.status == Status::Investigating {
                    self.status = Status::Mitigated;
                }
            }
            EventKind::Resolved => {
                self.resolved = Some(mark(e));
                self.acknowledged.get_or_insert_with(|| mark(e));
                self.status = Status::Resolved;
            }
            EventKind::Reopened => {
                self.resolved = None;
                self.status = if self.mitigated.is_some() {
                    Status::Mitigated
                } else {
                    Status::Investigating
                };
            }
            EventKind::AlertChanged {
                fingerprint, state, ..
            } => {
                self.alerts.insert(fingerprint.clone(), *state);
            }
            EventKind::SilenceCreated {
                silence_id,
                alert,
                fingerprint,
                until,
            } => {
                self.silences.insert(
                    silence_id.clone(),
                    SilenceMark {
                        created: mark(e),
                        alert: alert.clone(),
                        fingerprint: fingerprint.clone(),
                        until: *until,
                        expired: None,
                    },
                );
            }
            EventKind::SilenceExpired { silence_id } => {
                if let Some(s) = self.silences.get_mut(silence_id) {
                    s.expired.get_or_insert_with(|| mark(e));
                }
            }
            EventKind::RunbookAttached { runbook } => self.runbook = Some(runbook.clone()),
            EventKind::ClusterAction { .. } | EventKind::BranchTaken { .. } => {}
            EventKind::CommandStarted {
                step,
                command,
                purpose,
            } => {
                self.runs.insert(
                    step.clone(),
                    RunMark {
                        mark: mark(e),
                        purpose: *purpose,
                        command: command.clone(),
                        outcome: None,
                        duration_ms: 0,
                    },
                );
            }
            EventKind::CommandFinished {
                step,
                command,
                purpose,
                outcome,
                duration_ms,
                ..
            } => {
                let started = self
                    .runs
                    .get(step)
                    .filter(|r| r.outcome.is_none() && r.command == *command)
                    .map_or_else(|| mark(e), |r| r.mark.clone());
                self.runs.insert(
                    step.clone(),
                    RunMark {
                        mark: started,
                        purpose: *purpose,
                        command: command.clone(),
                        outcome: Some(outcome.clone()),
                        duration_ms: *duration_ms,
                    },
                );
            }
            EventKind::StepVerified { step, how } => {
                self.verified.insert(step.clone(), (mark(e), how.clone()));
                self.steps.insert(
                    step.clone(),
                    StepMark {
                        done: true,
                        mark: mark(e),
                    },
                );
            }
            EventKind::GateOverridden { step, .. } => {
                self.overridden.insert(step.clone(), mark(e));
            }
        }
    }

    /// The most recently created silence that is still muting at `now`.
    pub fn latest_active_silence(&self, now: Timestamp) -> Option<(&String, &SilenceMark)> {
        self.silences
            .iter()
            .filter(|(_, s)| s.active(now))
            .max_by_key(|(_, s)| s.created.at)
    }

    /// Open incidents still need attention; resolved ones do not.
    pub fn is_open(&self) -> bool {
        self.status != Status::Resolved
    }

    /// Who ticked a step and when, if it is done now.
    pub fn step_done(&self, step: &str) -> Option<&Mark> {
        self.steps.get(step).filter(|m| m.done).map(|m| &m.mark)
    }

    /// Declared → acknowledged.
    pub fn time_to_acknowledge(&self) -> Option<SignedDuration> {
        self.since_declared(self.acknowledged.as_ref())
    }

    /// Declared → mitigated.
    pub fn time_to_mitigate(&self) -> Option<SignedDuration> {
        self.since_declared(self.mitigated.as_ref())
    }

    /// Declared → resolved.
    pub fn time_to_resolve(&self) -> Option<SignedDuration> {
        self.since_declared(self.resolved.as_ref())
    }

    /// Alert started → incident declared.
    pub fn time_to_declare(&self) -> SignedDuration {
        self.declared.at.duration_since(self.alert.starts_at)
    }

    fn since_declared(&self, m: Option<&Mark>) -> Option<SignedDuration> {
        m.map(|m| m.at.duration_since(self.declared.at))
    }
}

fn mark(e: &Event) -> Mark {
    Mark {
        at: e.ts,
        by: e.author.clone(),
    }
}

impl EventKind {
    /// One line for the timeline pane and the exported timeline table.
    pub fn describe(&self) -> String {
        match self {
            EventKind::Declared {
                severity,
                alert,
                runbook,
                ..
            } => {
                let rb = runbook
                    .as_ref()
                    .map(|r| format!(", runbook {}", r.id))
                    .unwrap_or_else(|| ", no runbook".into());
                format!("Declared {severity} incident for alert {}{rb}", alert.name)
            }
            EventKind::Acknowledged => "Acknowledged".into(),
            EventKind::SeverityChanged { from, to } => format!("Severity changed {from} → {to}"),
            EventKind::StepDone { section, text, .. } => format!("Done [{section}] {text}"),
            EventKind::StepUndone { section, text, .. } => format!("Undone [{section}] {text}"),
            EventKind::Note { text } => format!("Note: {text}"),
            EventKind::RoleAssigned { role, name } => {
                format!("{} is now {name}", role.title())
            }
            EventKind::StatusUpdate { audience, text } => {
                let first = text.lines().next().unwrap_or_default();
                format!("Status update ({}): {first}", audience.as_str())
            }
            EventKind::ActionItem {
                text, owner, due, ..
            } => {
                let owner = owner.as_deref().unwrap_or("no owner");
                let due = due.map_or("no due date".to_string(), |d| format!("due {d}"));
                format!("Action item: {text} ({owner}, {due})")
            }
            EventKind::DeadlineMissed { clock, due } => format!(
                "Missed: {} ({} UTC)",
                clock.label(),
                super::time::utc_clock(*due)
            ),
            EventKind::Mitigated => "Mitigated".into(),
            EventKind::Resolved => "Resolved".into(),
            EventKind::Reopened => "Reopened".into(),
            EventKind::AlertChanged {
                name,
                state,
                silenced_by,
                ..
            } => match state {
                AlertState::Firing => format!("Alert {name} firing"),
                AlertState::Resolved => format!("Alert {name} resolved"),
                AlertState::Inhibited => format!("Alert {name} inhibited"),
                AlertState::Silenced if silenced_by.is_empty() => format!("Alert {name} silenced"),
                AlertState::Silenced => {
                    format!("Alert {name} silenced by {}", silenced_by.join(", "))
                }
            },
            EventKind::SilenceCreated {
                silence_id,
                alert,
                until,
                ..
            } => format!(
                "Silenced {alert} until {} UTC (silence {silence_id})",
                super::time::utc_datetime(*until)
            ),
            EventKind::SilenceExpired { silence_id } => format!("Expired silence {silence_id}"),
            EventKind::RunbookAttached { runbook } => {
                format!("Switched the checklist to runbook {}", runbook.id)
            }
            EventKind::CommandStarted {
                step,
                command,
                purpose,
            } => format!(
                "Started ({}) step {step}: {}",
                purpose.as_str(),
                one_line(command)
            ),
            EventKind::CommandFinished {
                step,
                command,
                purpose,
                outcome,
                duration_ms,
                ..
            } => format!(
                "{} step {step}: {} → {} in {}",
                match purpose {
                    Purpose::Run => "Ran",
                    Purpose::Verify => "Verify of",
                    Purpose::Rollback => "Rolled back",
                },
                one_line(command),
                outcome.describe(),
                super::time::short_duration(std::time::Duration::from_millis(*duration_ms))
            ),
            EventKind::StepVerified { step, how } => format!("Verified step {step}: {how}"),
            EventKind::GateOverridden { step, missing } => format!(
                "Overrode the gate of step {step} (not done: {})",
                missing.join(", ")
            ),
            EventKind::BranchTaken { from, to, label } => {
                format!("Branched from step {from} to step {to} ({label})")
            }
            EventKind::ClusterAction {
                action,
                ok: true,
                outcome,
            } => format!("Cluster: {action} — done: {outcome}"),
            EventKind::ClusterAction {
                action,
                ok: false,
                outcome,
            } => format!("Cluster: {action} — REFUSED: {outcome}"),
        }
    }
}

/// A short slug from an alert name: `CatalogP99Latency` → `catalog-p99-latency`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = c.is_ascii_uppercase()
                && prev.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
                        || p.is_ascii_digit()
                });
            if boundary && !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "incident".into()
    } else {
        out
    }
}

/// Incident id for an alert declared at `at`: `2026-11-21-catalog-p99-latency`.
pub fn incident_id(alert_name: &str, at: Timestamp) -> String {
    format!("{}-{}", at.strftime("%Y-%m-%d"), slug(alert_name))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn at(s: &str) -> Timestamp {
        format!("2026-11-21T{s}Z").parse().expect("time")
    }

    pub(crate) fn ev(t: &str, who: &str, kind: EventKind) -> Event {
        Event::new(at(t), who.into(), kind)
    }

    pub(crate) fn declared() -> EventKind {
        EventKind::Declared {
            id: "2026-11-21-catalog-p99-latency".into(),
            title: "Catalog p99 latency above 500ms".into(),
            severity: Sev::P1,
            alert: AlertRef {
                name: "CatalogP99Latency".into(),
                fingerprint: "abc".into(),
                labels: [("service".to_string(), "catalog".to_string())].into(),
                summary: "p99 latency is 1.2s".into(),
                starts_at: at("02:55:00"),
            },
            runbook: Some(RunbookRef {
                id: "api-latency-p99".into(),
                title: "API latency".into(),
                steps: vec![
                    StepRef {
                        id: "check-1".into(),
                        section: "Check".into(),
                        text: "Confirm".into(),
                    },
                    StepRef {
                        id: "mitigate-1".into(),
                        section: "Mitigate".into(),
                        text: "Roll back".into(),
                    },
                ],
            }),
        }
    }

    pub(crate) fn step(id: &str, done: bool) -> EventKind {
        let (step, section, text) = (id.to_string(), "Check".to_string(), "Confirm".to_string());
        if done {
            EventKind::StepDone {
                step,
                section,
                text,
            }
        } else {
            EventKind::StepUndone {
                step,
                section,
                text,
            }
        }
    }

    #[test]
    fn fold_tracks_every_kind() {
        let events = vec![
            ev("03:00:00", "alice", declared()),
            ev("03:02:00", "bob", EventKind::Acknowledged),
            ev("03:03:00", "alice", step("check-1", true)),
            ev("03:04:00", "alice", step("check-1", false)),
            ev("03:05:00", "bob", step("check-1", true)),
            ev(
                "03:06:00",
                "bob",
                EventKind::SeverityChanged {
                    from: Sev::P1,
                    to: Sev::P0,
                },
            ),
            ev(
                "03:07:00",
                "carol",
                EventKind::Note {
                    text: "rolled back".into(),
                },
            ),
            ev("03:10:00", "alice", EventKind::Mitigated),
            ev("03:20:00", "alice", EventKind::Resolved),
        ];
        let inc = Incident::fold(&events).expect("fold");
        assert_eq!(inc.severity, Sev::P0);
        assert_eq!(inc.status, Status::Resolved);
        assert!(!inc.is_open());
        assert_eq!(inc.step_done("check-1").map(|m| m.by.as_str()), Some("bob"));
        assert_eq!(inc.step_done("mitigate-1"), None);
        assert_eq!(
            inc.time_to_acknowledge(),
            Some(SignedDuration::from_mins(2))
        );
        assert_eq!(inc.time_to_mitigate(), Some(SignedDuration::from_mins(10)));
        assert_eq!(inc.time_to_resolve(), Some(SignedDuration::from_mins(20)));
        assert_eq!(inc.time_to_declare(), SignedDuration::from_mins(5));
        assert_eq!(inc.responders.len(), 3);
        assert_eq!(inc.notes[0].1, "rolled back");
    }

    #[test]
    fn reopen_and_implied_ack() {
        let events = vec![
            ev("03:00:00", "a", declared()),
            ev("03:10:00", "a", EventKind::Mitigated),
            ev("03:20:00", "a", EventKind::Resolved),
            ev("03:25:00", "a", EventKind::Reopened),
        ];
        let inc = Incident::fold(&events).expect("fold");
        assert_eq!(inc.status, Status::Mitigated);
        assert!(inc.is_open());
        assert_eq!(inc.acknowledged.map(|m| m.at), Some(at("03:10:00")));
        assert_eq!(inc.resolved, None);
    }

    #[test]
    fn fold_needs_a_declaration_first() {
        assert_eq!(Incident::fold(&[]), Err(FoldError::Empty));
        assert_eq!(
            Incident::fold(&[ev("03:00:00", "a", EventKind::Acknowledged)]),
            Err(FoldError::NoDeclaration)
        );
    }

    #[test]
    fn events_round_trip_as_json_lines() {
        let e = ev("03:00:00", "alice", EventKind::Note { text: "hi".into() });
        let line = serde_json::to_string(&e).expect("ser");
        assert_eq!(
            line,
            r#"{"v":2,"ts":"2026-11-21T03:00:00.000Z","author":"alice","kind":"note","text":"hi"}"#
        );
        assert_eq!(serde_json::from_str::<Event>(&line).expect("de"), e);
        let d = ev("03:00:00", "alice", declared());
        let line = serde_json::to_string(&d).expect("ser");
        assert_eq!(serde_json::from_str::<Event>(&line).expect("de"), d);
    }

    #[test]
    fn slugs_and_ids() {
        assert_eq!(slug("CatalogP99Latency"), "catalog-p99-latency");
        assert_eq!(slug("KubePodCrashLooping"), "kube-pod-crash-looping");
        assert_eq!(slug("HTTPErrorRate"), "http-error-rate");
        assert_eq!(slug("disk_pressure high"), "disk-pressure-high");
        assert_eq!(slug("../../etc"), "etc");
        assert_eq!(slug("!!!"), "incident");
        assert_eq!(
            incident_id("CatalogP99Latency", at("03:00:00")),
            "2026-11-21-catalog-p99-latency"
        );
    }

    #[test]
    fn purpose_names_match_the_journal() {
        for p in [Purpose::Run, Purpose::Verify, Purpose::Rollback] {
            assert_eq!(
                serde_json::to_value(p).expect("serialises"),
                serde_json::Value::String(p.as_str().into())
            );
        }
    }

    #[test]
    fn every_event_kind_folds() {
        use crate::domain::policy::ClockKind;
        let events = vec![
            ev("03:00:00", "alice", declared()),
            ev(
                "03:00:10",
                "alice",
                EventKind::RoleAssigned {
                    role: Role::Ic,
                    name: "alice".into(),
                },
            ),
            ev(
                "03:00:20",
                "bob",
                EventKind::RoleAssigned {
                    role: Role::Ic,
                    name: "bob".into(),
                },
            ),
            ev("03:01:00", "bob", EventKind::Acknowledged),
            ev("03:02:00", "bob", step("check-1", true)),
            ev("03:02:30", "bob", step("check-1", false)),
            ev(
                "03:03:00",
                "carol",
                EventKind::Note {
                    text: "late".into(),
                },
            )
            .about(Some(at("02:59:00"))),
            ev("03:03:30", "carol", EventKind::Note { text: "now".into() }),
            ev(
                "03:04:00",
                "bob",
                EventKind::SeverityChanged {
                    from: Sev::P1,
                    to: Sev::P0,
                },
            ),
            ev(
                "03:05:00",
                "alertmanager",
                EventKind::AlertChanged {
                    fingerprint: "abc".into(),
                    name: "X".into(),
                    state: AlertState::Silenced,
                    silenced_by: vec!["s1".into()],
                },
            ),
            ev(
                "03:05:00",
                "bob",
                EventKind::SilenceCreated {
                    silence_id: "s1".into(),
                    alert: "X".into(),
                    fingerprint: "abc".into(),
                    until: at("04:05:00"),
                },
            ),
            ev(
                "03:06:00",
                "bob",
                EventKind::SilenceExpired {
                    silence_id: "s1".into(),
                },
            ),
            ev(
                "03:07:00",
                "carol",
                EventKind::StatusUpdate {
                    audience: Audience::Internal,
                    text: "u1".into(),
                },
            ),
            ev(
                "03:08:00",
                "bob",
                EventKind::ClusterAction {
                    action: "delete pod".into(),
                    ok: false,
                    outcome: "forbidden".into(),
                },
            ),
            ev(
                "03:09:00",
                "bob",
                EventKind::RunbookAttached {
                    runbook: RunbookRef {
                        id: "other".into(),
                        title: "Other".into(),
                        steps: vec![],
                    },
                },
            ),
            ev(
                "03:10:00",
                "warroom",
                EventKind::DeadlineMissed {
                    clock: ClockKind::Update,
                    due: at("03:10:00"),
                },
            ),
            ev(
                "03:11:00",
                "bob",
                EventKind::ActionItem {
                    text: "fix".into(),
                    owner: None,
                    due: None,
                    ticket: None,
                },
            ),
            ev(
                "03:11:10",
                "bob",
                EventKind::GateOverridden {
                    step: "check-1".into(),
                    missing: vec!["x".into()],
                },
            ),
            ev(
                "03:11:20",
                "bob",
                EventKind::CommandStarted {
                    step: "check-1".into(),
                    command: "true".into(),
                    purpose: Purpose::Verify,
                },
            ),
            ev(
                "03:11:30",
                "bob",
                EventKind::CommandFinished {
                    step: "check-1".into(),
                    command: "true".into(),
                    purpose: Purpose::Verify,
                    outcome: RunOutcome::TimedOut,
                    duration_ms: 10,
                    output: String::new(),
                    omitted: 0,
                },
            ),
            ev(
                "03:11:40",
                "bob",
                EventKind::StepVerified {
                    step: "check-2".into(),
                    how: "query".into(),
                },
            ),
            ev(
                "03:11:50",
                "bob",
                EventKind::BranchTaken {
                    from: "check-1".into(),
                    to: "check-2".into(),
                    label: "go to step 2".into(),
                },
            ),
            ev("03:12:00", "bob", EventKind::Mitigated),
            ev("03:13:00", "bob", EventKind::Resolved),
            ev("03:14:00", "bob", EventKind::Reopened),
        ];
        let inc = Incident::fold(&events).expect("folds");
        assert_eq!(inc.roles.get(&Role::Ic).map(|r| r.0.as_str()), Some("bob"));
        assert_eq!(
            inc.acknowledged.as_ref().map(|m| m.by.as_str()),
            Some("bob")
        );
        assert!(inc.step_done("check-1").is_none(), "unticked");
        assert!(
            inc.step_done("check-2").is_some(),
            "verified counts as done"
        );
        assert!(inc.overridden.contains_key("check-1"));
        assert_eq!(
            inc.runs.get("check-1").and_then(|r| r.outcome.clone()),
            Some(RunOutcome::TimedOut)
        );
        assert_eq!(
            inc.notes.iter().map(|n| n.1.as_str()).collect::<Vec<_>>(),
            ["late", "now"]
        );
        assert_eq!(inc.severity, Sev::P0);
        assert_eq!(inc.alerts.get("abc"), Some(&AlertState::Silenced));
        assert!(!inc.silences["s1"].active(at("03:30:00")), "expired");
        assert_eq!(inc.updates.len(), 1);
        assert_eq!(inc.runbook.as_ref().map(|r| r.id.as_str()), Some("other"));
        assert!(inc.missed.contains(&(ClockKind::Update, at("03:10:00"))));
        assert_eq!(inc.actions.len(), 1);
        assert_eq!(inc.status, Status::Mitigated, "reopened after mitigation");
        assert!(inc.resolved.is_none());
        assert!(!inc.responders.contains("alertmanager") && !inc.responders.contains("warroom"));
        // Every kind round-trips through the journal's JSON.
        for e in &events {
            let line = serde_json::to_string(e).expect("serialises");
            let back: Event = serde_json::from_str(&line).expect("parses");
            assert_eq!(&back, e, "{line}");
        }
    }
}
