//! What flows into the reducer ([`Msg`]) and what it asks the loop to do
//! ([`Effect`]). Every handler speaks these; none of them performs I/O.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::KeyEvent;
use jiff::Timestamp;

use super::state::App;
use crate::domain::incident::{Event, EventKind};
use crate::domain::time::to_millis;
use crate::journal::{JournalMsg, Opened, Position};
use crate::sources::kubernetes::{Action as ClusterAction, PodRef, PodScope};
use crate::sources::{MetricRequest, SourceMsg};

/// Everything that can change the state.
#[derive(Debug)]
pub enum Msg {
    /// A key press from the terminal.
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste): text for the editor
    /// that is open, never keystrokes.
    Paste(String),
    /// The loop finished handling a paste at this moment: keys until
    /// [`crate::app::update::PASTE_GUARD`] after it came with the paste.
    PasteHandled(Timestamp),
    /// The 1 Hz clock, so ages and elapsed times move.
    Tick(Timestamp),
    /// An answer to one of an exercise's queries.
    ExerciseAnswer {
        /// Which query.
        ask: Ask,
        /// When it was answered.
        at: Timestamp,
        /// Each series' labels and value, or why there is no answer.
        result: Result<Vec<(String, f64)>, String>,
    },
    /// A chaos experiment file was read and checked.
    ExperimentLoaded(Result<crate::domain::exercise::Experiment, String>),
    /// The pods a game-day's selector matches.
    PodsCounted(Result<usize, String>),
    /// A game-day's fault was applied (audited), or why not.
    FaultApplied {
        /// The change in words.
        what: String,
        /// The fault on the server.
        result: Result<crate::sources::kubernetes::FaultRef, String>,
    },
    /// A game-day's fault was deleted (audited), or why not.
    FaultDeleted {
        /// The change in words.
        what: String,
        /// What the server did.
        result: Result<String, String>,
    },
    /// The incident's main metric over its window, fetched for the journal.
    WindowFetched {
        /// What was asked, and what follows the answer.
        request: WindowRequest,
        /// The chart, or why there is none.
        result: Result<crate::domain::incident::evidence::PinnedChart, String>,
    },
    /// How sharing the incident through the cluster stands (`--share`).
    Share(crate::share::sync::ShareStatus),
    /// The incidents other hosts declared, by alert (`--share`).
    Claims(Vec<crate::share::objects::Claim>),
    /// Faults warroom applied that are still present.
    Leftovers(Result<Vec<crate::sources::kubernetes::FaultRef>, String>),
    /// Something a data source reported.
    Source(SourceMsg),
    /// Something the incident journal reported.
    Journal(JournalMsg),
    /// The answer to an `Effect::Declare`.
    Declared(Result<Opened, String>),
    /// The answer to an `Effect::Rejoin`: an incident read by id.
    Joined(Result<Opened, String>),
    /// The answer to an `Effect::Export`.
    Exported(Result<PathBuf, String>),
    /// Columns the Metrics chart has, measured by the loop from the layout
    /// at start and after every resize.
    ChartWidth(u16),
    /// How the Runbook pane was laid out, measured by the loop after drawing.
    RunbookLayout(super::state::PaneLayout),
    /// The mouse acted at a place on screen: the pane there and, on a list
    /// row, its item (from the last frame drawn).
    Mouse {
        /// Click or wheel.
        act: MouseAct,
        /// What was under the pointer.
        at: Option<(super::state::Pane, Option<usize>)>,
    },
    /// How far the overlay that is up can scroll, measured as drawn.
    OverlayMax(Option<usize>),
    /// The answer to an `Effect::Silence`.
    Silenced(Result<SilenceDone, String>),
    /// The answer to an `Effect::Unsilence`: the id that was expired.
    Unsilenced(Result<String, String>),
    /// Output or the end of a runbook command.
    Run(crate::exec::RunReport),
    /// The answer to an `Effect::CheckQuery`: series returned, or why not.
    QueryChecked {
        /// The step whose `verify_query` it was.
        step: crate::domain::incident::StepAt,
        /// The query asked.
        query: String,
        /// Number of series in the answer.
        result: Result<usize, String>,
    },
    /// The answer to an `Effect::Cluster`.
    ClusterDone {
        /// What was asked, in words.
        action: String,
        /// What the server did, or why it refused.
        result: Result<String, String>,
    },
    /// The answer to an `Effect::ReplicasNow`.
    ReplicasNow {
        /// Namespace.
        namespace: String,
        /// The workload.
        workload: crate::domain::pod::Owner,
        /// Its replica count, or why it could not be had.
        result: Result<u32, String>,
    },
    /// The answer to an `Effect::FindOwner`: the ReplicaSet's controller.
    OwnerFound {
        /// The pod to restart.
        pod: PodRef,
        /// The workload, none, or why it could not be asked.
        result: Result<Option<crate::domain::pod::Owner>, String>,
    },
    /// The answer to an `Effect::FindOwnerScope`.
    OwnerScope {
        /// The alert's pod.
        pod: PodRef,
        /// Its workload and selector, none, or why it could not be asked.
        result: Result<Option<crate::sources::kubernetes::OwnerSelector>, String>,
    },
    /// A cluster change was made but its audit record could not be
    /// written: said loudly, since the dialog promised it.
    AuditFailed(String),
    /// This Unix user's command lines from earlier sessions, oldest first,
    /// read by the cockpit at start.
    HistoryLoaded(Vec<String>),
}

/// A silence to create for one alert's exact labels.
#[derive(Debug, Clone, PartialEq)]
pub struct SilenceRequest {
    /// The alert's labels, each matched exactly.
    pub labels: BTreeMap<String, String>,
    /// The alert's name, for messages and the timeline.
    pub alert: String,
    /// The alert's fingerprint.
    pub fingerprint: String,
    /// When the silence starts.
    pub starts_at: Timestamp,
    /// How long it lasts.
    pub duration: Duration,
    /// Who asked for it.
    pub created_by: String,
    /// Why, naming the incident.
    pub comment: String,
}

/// A silence the server accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct SilenceDone {
    /// The server's id for it.
    pub silence_id: String,
    /// The alert's name.
    pub alert: String,
    /// The alert's fingerprint.
    pub fingerprint: String,
    /// When it ends.
    pub until: Timestamp,
}

/// Side effects the loop must perform.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Create (or join) the incident whose first event this is.
    Declare(Event),
    /// Follow this incident's journal from where opening it stopped reading.
    Follow {
        /// The incident to follow.
        id: String,
        /// Where the opening read stopped.
        from: Position,
    },
    /// Append durably to the followed journal.
    Append(Event),
    /// Read an incident's journal by id and follow it (`warroom open ID`,
    /// `:join ID`).
    Rejoin(String),
    /// Write the followed journal again, after it was deleted, from these
    /// events (all the cockpit holds).
    Recreate(Vec<Event>),
    /// Write the postmortem draft of an incident.
    Export {
        /// The incident to export.
        id: String,
        /// Where to write it; `None` means `<data dir>/exports/<id>.md`.
        path: Option<PathBuf>,
    },
    /// The chart the sources should serve now.
    Query(Option<MetricRequest>),
    /// Create an Alertmanager silence.
    Silence(SilenceRequest),
    /// Expire an Alertmanager silence by id.
    Unsilence(String),
    /// The pods the Pods pane should watch now.
    PodScope(Option<PodScope>),
    /// Load a pod's events and stream its log (replacing any earlier stream).
    PodDetails {
        /// The pod.
        pod: PodRef,
        /// Container to read; `None` for the only one.
        container: Option<String>,
        /// The previous (crashed) run's log.
        previous: bool,
        /// Keep streaming new lines.
        follow: bool,
    },
    /// Stop streaming the log of the closed details view.
    ClosePodDetails,
    /// Change the cluster (already confirmed by the user).
    Cluster(ClusterAction),
    /// Ask the API how many replicas a workload has now (for the scale
    /// dialog's `3 → 5`).
    ReplicasNow {
        /// Namespace.
        namespace: String,
        /// The Deployment or StatefulSet.
        workload: crate::domain::pod::Owner,
    },
    /// Ask the API which workload owns a pod's ReplicaSet, for a restart of
    /// a pod whose labels do not say.
    FindOwner {
        /// The pod to restart.
        pod: PodRef,
        /// Its ReplicaSet.
        replicaset: String,
    },
    /// Ask the API for the workload owning an alert's pod and its selector,
    /// so the Pods pane follows the workload instead of one pod name.
    FindOwnerScope(PodRef),
    /// Run a runbook command (already confirmed by the user).
    Run(crate::exec::RunSpec),
    /// Ask Prometheus a step's query over the last half hour, reporting
    /// like a command (output lines, then how it ended).
    RunQuery {
        /// Matches the reports.
        id: u64,
        /// The query, values filled as PromQL literals.
        query: String,
    },
    /// Stop a running command and everything it started.
    CancelRun(u64),
    /// Put text on the terminal's clipboard (OSC 52), which reaches the
    /// responder's own machine over SSH.
    Copy(String),
    /// Add a submitted command line (already redacted) to this Unix user's
    /// history file in the data dir.
    RememberCommand(String),
    /// Ask Prometheus one of an exercise's queries (instant, with values).
    ExerciseQuery {
        /// Which of them.
        ask: Ask,
        /// The PromQL.
        query: String,
    },
    /// Read and check a chaos experiment file.
    LoadExperiment(PathBuf),
    /// Count the pods a game-day's selector matches now (for percent and
    /// `all` modes).
    CountPods {
        /// Namespace.
        namespace: String,
        /// Label selector.
        selector: String,
    },
    /// Apply a game-day's fault (already confirmed by its name typed).
    ApplyFault {
        /// The fault as a Kubernetes object.
        manifest: serde_json::Value,
        /// The run it belongs to (the incident id), set as a label.
        run: String,
    },
    /// Delete the game-day's fault (window over, abort, quit).
    DeleteFault(crate::sources::kubernetes::FaultRef),
    /// Find faults warroom applied that are still present.
    FindLeftovers,
    /// Fetch the incident's main metric over its whole window, to record
    /// it in the journal for the postmortem.
    FetchWindow(WindowRequest),
    /// Ask Prometheus whether a step's `verify_query` returns data.
    CheckQuery {
        /// The step.
        step: crate::domain::incident::StepAt,
        /// The query, placeholders filled.
        query: String,
    },
}

/// The effects one message produced, in order.
pub type Fx = Vec<Effect>;

/// The write time of this cockpit's next event: now, to the millisecond, but
/// always later than its last one, so two events it records in the same
/// millisecond (a command's end and the step it verifies) keep their order
/// in every reading of the journal.
pub(crate) fn stamp(app: &mut App) -> Timestamp {
    let now = to_millis(app.now);
    let t = match app.watch.last_stamp {
        Some(last) if now <= last => last + jiff::SignedDuration::from_millis(1),
        _ => now,
    };
    app.watch.last_stamp = Some(t);
    t
}

/// Queues an event by this cockpit's responder for the journal; the UI shows
/// it once it is read back as durable.
pub fn record(app: &mut App, kind: EventKind, fx: &mut Fx) {
    record_about(app, kind, None, fx);
}

/// [`record`] for a fact other cockpits may record too (a verify query
/// turning green): its id is derived from `fact`, so it counts once.
pub fn record_fact(app: &mut App, kind: EventKind, fact: &str, fx: &mut Fx) {
    let incident = app.incident.as_ref().map_or("", |i| i.id.as_str());
    let incident = incident.to_string();
    let event = Event::new(stamp(app), app.settings.author.clone(), kind).as_fact(&incident, fact);
    app.watch.pending += 1;
    fx.push(Effect::Append(event));
}

/// [`record`] for something that happened at `at`, earlier than now.
pub fn record_about(app: &mut App, kind: EventKind, at: Option<Timestamp>, fx: &mut Fx) {
    if kind != EventKind::Reopened
        && let Err(e) = app.writable()
    {
        app.error(e);
        return;
    }
    let event = Event::new(stamp(app), app.settings.author.clone(), kind).about(at);
    app.watch.pending += 1;
    fx.push(Effect::Append(event));
}

/// Queues a fact observed by the cockpit or a source (not a person's act),
/// which other cockpits may observe too: its id is derived from `fact` so
/// the journal counts it once. It does not count as this responder's
/// pending work.
pub fn observe(app: &mut App, author: &str, kind: EventKind, fact: &str, fx: &mut Fx) {
    let incident = app
        .incident
        .as_ref()
        .map_or(String::new(), |i| i.id.clone());
    let ts = stamp(app);
    fx.push(Effect::Append(
        Event::new(ts, author.to_string(), kind).as_fact(&incident, fact),
    ));
}

/// The incident's main metric over a stretch of time, to be recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowRequest {
    /// The incident it is for.
    pub incident: String,
    /// PromQL, placeholders filled.
    pub query: String,
    /// From.
    pub start: Timestamp,
    /// To.
    pub end: Timestamp,
    /// The runbook's threshold.
    pub threshold: Option<f64>,
    /// What the values measure.
    pub unit: String,
    /// `:export` asked for it: the draft is written once it is recorded
    /// (to this path, or the default one).
    pub then_export: Option<Option<PathBuf>>,
}

/// What the mouse did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseAct {
    /// The left button went down.
    Click,
    /// The wheel turned towards the user (down the page).
    WheelDown,
    /// The wheel turned away from the user.
    WheelUp,
}

/// Which of an exercise's queries an answer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// A drill's `recovered_query`: data means the service works again.
    Recovered,
    /// A drill's `rpo_query`: seconds of data lost.
    Rpo,
    /// A game-day's steady-state query before starting: must be empty.
    SteadyBefore,
    /// A game-day's abort query asked once before starting: it must be
    /// answerable (valid PromQL, a reachable Prometheus) and empty.
    AbortBefore,
    /// A game-day's abort query during the window: data fails it at once.
    Abort,
    /// A game-day's steady-state query at the end of the window.
    SteadyAfter,
}
