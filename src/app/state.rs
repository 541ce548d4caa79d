//! What the cockpit knows. Each pane's state is its own small struct; `App` only
//! groups them. Everything here is plain data that the UI draws by reference.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use jiff::Timestamp;
use ratatui_textarea::TextArea;

use crate::domain::alert::{Alert, AlertState};
use crate::domain::incident::{Event, Incident};
use crate::domain::metric::MetricData;
use crate::domain::pod::Pod;
use crate::domain::runbook::{Library, Runbook};
use crate::domain::severity::SeverityMap;
use crate::sources::kubernetes::{EventLine, PodRef, PodScope};

/// How long a runbook command may run when neither its contract nor the
/// config says.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

/// The panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    /// Firing alerts; where every response starts.
    Alerts,
    /// The checklist of the open (or previewed) runbook.
    Runbook,
    /// Pods in the runbook's scope.
    Pods,
    /// The runbook's query as a chart.
    Metrics,
    /// What happened, newest at the bottom.
    Timeline,
}

impl Pane {
    /// Every pane in Tab order.
    pub const ALL: [Pane; 5] = [
        Pane::Alerts,
        Pane::Runbook,
        Pane::Pods,
        Pane::Metrics,
        Pane::Timeline,
    ];

    /// Name shown in borders, tabs and help.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Alerts => "Alerts",
            Pane::Runbook => "Runbook",
            Pane::Pods => "Pods",
            Pane::Metrics => "Metrics",
            Pane::Timeline => "Timeline",
        }
    }

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    /// The pane Tab moves to.
    pub fn next(self) -> Pane {
        Pane::ALL[(self.index() + 1) % Pane::ALL.len()]
    }

    /// The pane Shift-Tab moves to.
    pub fn prev(self) -> Pane {
        Pane::ALL[(self.index() + Pane::ALL.len() - 1) % Pane::ALL.len()]
    }
}

/// A modal layer over the panes; only one at a time.
#[derive(Debug, Default)]
pub enum Mode {
    #[default]
    /// Keys go to the key table.
    Normal,
    /// The help overlay is up.
    Help,
    /// The note editor is up; text keys edit the note.
    Note(Box<TextArea<'static>>),
    /// The `:` command line is up.
    Command(Box<TextArea<'static>>),
    /// The `/` filter line of a list pane (Alerts or Pods) is up; the list
    /// filters as you type.
    Filter(Pane, Box<TextArea<'static>>),
    /// A cluster change waits for y; anything else cancels.
    Confirm(Box<crate::sources::kubernetes::Action>),
    /// The details of one pod (events and logs) are up.
    PodDetail,
    /// The Incident panel (`i`): severity, roles, clocks, action items.
    IncidentPanel,
    /// The list of status updates (`:updates`).
    Updates,
    /// Resolving waits for y or n.
    ConfirmResolve,
    /// The status update editor (`u`).
    StatusUpdate(Box<UpdateDraft>),
    /// The action item form (`A`).
    ActionForm(Box<ActionDraft>),
    /// Quitting with an open incident waits for y or n.
    ConfirmQuit,
    /// A step with several commands: which one to run.
    PickCommand(Box<CommandPick>),
    /// A step command waits for y (or, for a dangerous step, its id typed).
    ConfirmRun(Box<RunDraft>),
    /// A step's gate is closed: `O` overrides (recorded), anything else cancels.
    Gate(Box<GateDraft>),
    /// A step with several branches: which one to follow.
    PickBranch(Box<BranchPick>),
    /// The output panel of the latest command.
    Output,
}

/// What a step action is for once its gate and confirmations pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepIntent {
    /// Run one of its commands, its verify check or its rollback.
    Run(crate::domain::incident::Purpose),
    /// Tick it done.
    Tick,
}

/// The commands of one step to choose from.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandPick {
    /// The step.
    pub step: String,
    /// Its commands, placeholders filled where labels allow.
    pub options: Vec<String>,
    /// The highlighted one.
    pub cursor: usize,
}

/// A command about to run, waiting for the responder's go.
#[derive(Debug)]
pub struct RunDraft {
    /// The step it belongs to.
    pub step: String,
    /// The step's command, its verify check or its rollback.
    pub purpose: crate::domain::incident::Purpose,
    /// The command with placeholders filled.
    pub command: String,
    /// Why it cannot run as it stands (placeholders no label fills, label
    /// values with shell characters); running waits until they are edited out.
    pub missing: Vec<String>,
    /// For a dangerous step: what may be typed to confirm (step id, resource).
    pub danger: Option<Vec<String>>,
    /// What the responder typed (dangerous steps), or the command being edited.
    pub input: TextArea<'static>,
    /// The command is being edited in `input`.
    pub editing: bool,
    /// Whether the step changes things.
    pub mutating: bool,
    /// How long it may run.
    pub timeout: Duration,
    /// Why the last attempt to confirm was refused.
    pub error: Option<String>,
}

/// A step whose required steps are not done.
#[derive(Debug, Clone, PartialEq)]
pub struct GateDraft {
    /// The step.
    pub step: String,
    /// Required steps not done yet.
    pub missing: Vec<String>,
    /// What was asked of the step.
    pub intent: StepIntent,
}

/// Branches of one step to choose from.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchPick {
    /// The step they are written in.
    pub from: String,
    /// Label as written and target step id.
    pub options: Vec<(String, String)>,
    /// The highlighted one.
    pub cursor: usize,
}

/// Lines of command output kept on screen; older ones are dropped.
pub const OUTPUT_LINES_KEPT: usize = 5000;

/// The latest runbook command, running or finished, for the output panel.
#[derive(Debug, Clone, PartialEq)]
pub struct RunView {
    /// Matches reports from the runner.
    pub id: u64,
    /// The step it belongs to.
    pub step: String,
    /// The step's command, its verify check or its rollback.
    pub purpose: crate::domain::incident::Purpose,
    /// The command as run.
    pub command: String,
    /// When it started.
    pub started: Timestamp,
    /// The newest output lines, at most [`OUTPUT_LINES_KEPT`].
    pub lines: std::collections::VecDeque<String>,
    /// Lines dropped from the front to keep the bound.
    pub dropped: usize,
    /// How it ended and how long it took; `None` while it runs.
    pub outcome: Option<(crate::domain::incident::RunOutcome, Duration)>,
    /// Lines scrolled up from the newest; 0 follows the output.
    pub scroll: usize,
}

/// The state of one step's `verify_query` as this cockpit last saw it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryCheck {
    /// The query asked (placeholders filled).
    pub query: String,
    /// When it was last asked.
    pub asked: Option<Timestamp>,
    /// A request is on its way.
    pub in_flight: bool,
    /// Series returned, or why it failed.
    pub result: Option<Result<usize, String>>,
}

/// A status update being written.
#[derive(Debug)]
pub struct UpdateDraft {
    /// The editor.
    pub editor: TextArea<'static>,
    /// Who it is for; Tab switches while the text is untouched.
    pub audience: crate::domain::incident::Audience,
    /// The text it was prefilled with, to tell whether anything changed.
    pub original: String,
    /// Esc on a changed draft asks before throwing it away.
    pub confirm_discard: bool,
}

/// An action item being entered: text, owner, due date, ticket.
#[derive(Debug, Default)]
pub struct ActionDraft {
    /// One single-line editor per field.
    pub fields: [TextArea<'static>; 4],
    /// The field with the cursor.
    pub focus: usize,
    /// Why the last save was refused.
    pub error: Option<String>,
}

/// Labels of the action form's fields.
pub const ACTION_FIELDS: [&str; 4] = ["What", "Owner", "Due (YYYY-MM-DD)", "Ticket"];

/// Health of one source, judged at draw time against the clock.
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
    pub cadence: Option<jiff::SignedDuration>,
    /// Set when no source is configured for the pane, saying what to configure.
    pub off: Option<String>,
}

impl SourceStatus {
    /// Records a good answer.
    pub fn ok(&mut self, name: &str, at: Timestamp) {
        self.name = name.to_string();
        if let Some(prev) = self.last_ok {
            let gap = at.duration_since(prev);
            if gap > jiff::SignedDuration::ZERO {
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

/// The alerts list, kept sorted; selection follows the alert, not the row.
#[derive(Debug, Default)]
pub struct AlertsState {
    /// Sorted most urgent first.
    pub items: Vec<Alert>,
    /// Indices into `items` that are shown, in display order (filtered, and
    /// grouped by name when grouping is on). Rebuilt by [`AlertsState::refresh`].
    pub view: Vec<usize>,
    /// Position of the selected alert in `view`.
    pub cursor: usize,
    /// Fingerprint of the selected alert, so the selection survives re-sorting.
    pub selected: Option<String>,
    /// `/` filter: every word must appear in the name, summary or a label.
    pub filter: String,
    /// Leave silenced and inhibited alerts out of the list.
    pub hide_suppressed: bool,
    /// Group rows under one header per alert name.
    pub grouped: bool,
    /// Alerts the user has seen in the list; others are marked new.
    pub seen: HashSet<String>,
    /// Health of the alert source.
    pub status: SourceStatus,
}

impl AlertsState {
    /// The alert under the cursor.
    pub fn selected(&self) -> Option<&Alert> {
        self.view.get(self.cursor).and_then(|i| self.items.get(*i))
    }

    /// Whether an alert arrived since the user last looked at the list.
    pub fn is_new(&self, a: &Alert) -> bool {
        !self.seen.contains(&a.fingerprint)
    }

    /// Alerts not yet seen.
    pub fn new_count(&self) -> usize {
        self.items.iter().filter(|a| self.is_new(a)).count()
    }

    /// Rebuilds `view` after the items, filter or toggles changed, keeping the
    /// selected alert selected when it is still shown.
    pub fn refresh(&mut self) {
        let words: Vec<String> = self
            .filter
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let shown = |a: &Alert| {
            (!self.hide_suppressed || !a.state.is_suppressed())
                && words.iter().all(|w| matches_word(a, w))
        };
        let mut view: Vec<usize> = (0..self.items.len())
            .filter(|i| shown(&self.items[*i]))
            .collect();
        if self.grouped {
            // Groups in the order of their most urgent member; members keep
            // their order inside the group.
            let mut first: HashMap<&str, usize> = HashMap::new();
            for (pos, i) in view.iter().enumerate() {
                first.entry(self.items[*i].name()).or_insert(pos);
            }
            view.sort_by_key(|i| first.get(self.items[*i].name()).copied().unwrap_or(0));
        }
        self.view = view;
        let found = self.selected.as_ref().and_then(|fp| {
            self.view
                .iter()
                .position(|i| self.items[*i].fingerprint == *fp)
        });
        self.cursor = found
            .unwrap_or(self.cursor)
            .min(self.view.len().saturating_sub(1));
        self.selected = self.selected().map(|a| a.fingerprint.clone());
    }

    /// Marks every listed alert as seen.
    pub fn mark_seen(&mut self) {
        self.seen = self.items.iter().map(|a| a.fingerprint.clone()).collect();
    }
}

/// Case-insensitive match of one filter word against what a responder would
/// search for: name, summary, state, and `key=value` labels.
fn matches_word(a: &Alert, w: &str) -> bool {
    let has = |s: &str| s.to_lowercase().contains(w);
    has(a.name())
        || has(a.summary())
        || has(a.state.as_str())
        || a.labels.iter().any(|(k, v)| has(&format!("{k}={v}")))
}

/// The pods list; unhealthy pods first.
#[derive(Debug, Default)]
pub struct PodsState {
    /// Every pod the source reported; the pane filters to the runbook's scope.
    pub items: Vec<Pod>,
    /// Row of the selected pod among the visible ones.
    pub cursor: usize,
    /// `/` filter: every word must appear in the name, status or node.
    pub filter: String,
    /// `:ns NAME` — a namespace chosen by hand, over the automatic one.
    pub namespace_override: Option<String>,
    /// `:selector SEL` — a label selector chosen by hand.
    pub selector_override: Option<String>,
    /// The scope last asked of the source.
    pub requested: Option<PodScope>,
    /// The open details view, if any.
    pub detail: Option<PodDetail>,
    /// Health of the pod source.
    pub status: SourceStatus,
}

/// Lines of log kept for a details view; older ones are dropped.
pub const LOG_LINES_KEPT: usize = 5000;

/// One pod's details: recent events and its log.
#[derive(Debug, Default)]
pub struct PodDetail {
    /// The pod.
    pub pod: PodRef,
    /// Container whose log is shown.
    pub container: Option<String>,
    /// Showing the previous (crashed) run's log.
    pub previous: bool,
    /// New lines are streamed in.
    pub follow: bool,
    /// Recent events, or why they could not be read; `None` while loading.
    pub events: Option<Result<Vec<EventLine>, String>>,
    /// The log, oldest first, at most [`LOG_LINES_KEPT`] lines.
    pub log: std::collections::VecDeque<String>,
    /// Why the log stream failed, if it did.
    pub log_error: Option<String>,
    /// The stream has ended.
    pub log_done: bool,
    /// Lines scrolled up from the newest; 0 follows the tail.
    pub scroll: usize,
}

/// Time ranges the Metrics pane cycles through.
pub const RANGES: [Duration; 3] = [
    Duration::from_secs(15 * 60),
    Duration::from_secs(3600),
    Duration::from_secs(6 * 3600),
];

/// The chart: which query is wanted and the latest answer for it.
#[derive(Debug, Default)]
pub struct MetricState {
    /// The query the sources are asked for (placeholders filled).
    pub query: Option<String>,
    /// Where the query came from, for the pane: `runbook` or `alert rule`.
    pub origin: &'static str,
    /// Index into [`RANGES`].
    pub range: usize,
    /// Width of the chart in cells, from the terminal size.
    pub width: u16,
    /// The request last sent to the sources.
    pub requested: Option<crate::sources::MetricRequest>,
    /// Drawn as a horizontal line; from the runbook's front matter.
    pub threshold: Option<f64>,
    /// The latest answer for `query`.
    pub data: Option<MetricData>,
    /// Why the latest attempt for `query` failed.
    pub error: Option<String>,
    /// Health of the metric source.
    pub status: SourceStatus,
}

/// The incident this cockpit is working, as its journal says.
#[derive(Debug)]
pub struct OpenIncident {
    /// Incident id, also the journal's file name.
    pub id: String,
    /// Every event read back from the journal, in file order.
    pub events: Vec<Event>,
    /// The fold of `events`, once the declaration has been read.
    pub state: Option<Incident>,
}

/// A one-line message under the panes (command results, errors).
#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    /// What to say.
    pub text: String,
    /// Errors are drawn loud and stay until replaced.
    pub error: bool,
    /// When it was said; other messages fade after a few seconds.
    pub at: Timestamp,
}

/// All cockpit state.
#[derive(Debug)]
pub struct App {
    /// The clock, set by the loop; everything time-dependent is drawn from it.
    pub now: Timestamp,
    /// Name stamped on this cockpit's events.
    pub author: String,
    /// How alert severity labels become P0/P1/P2.
    pub severity: SeverityMap,
    /// The pane keys go to; in the compact layout, the one on screen.
    pub focus: Pane,
    /// The modal layer, if any.
    pub mode: Mode,
    /// The Alerts pane.
    pub alerts: AlertsState,
    /// The Pods pane.
    pub pods: PodsState,
    /// The Metrics pane.
    pub metric: MetricState,
    /// Every runbook found at start.
    pub library: Library,
    /// Selected step, as an index into the shown runbook's steps.
    pub step_cursor: usize,
    /// The incident being worked, if any.
    pub incident: Option<OpenIncident>,
    /// A runbook chosen with `:runbook` while no incident is open, for the
    /// alert (fingerprint) selected at the time.
    pub runbook_override: Option<(Option<String>, String)>,
    /// Alert states this cockpit already wrote to the journal, so one change is
    /// recorded once even before the journal echoes it back.
    pub reported: HashMap<String, AlertState>,
    /// Successive alert polls in which an incident alert was missing; two in a
    /// row count as resolved (a restarting Alertmanager briefly lists nothing).
    pub absent: HashMap<String, u8>,
    /// Lines scrolled up from the newest event; 0 follows new events.
    pub timeline_scroll: usize,
    /// Scroll offset of the help overlay.
    pub help_scroll: usize,
    /// Events sent to the journal and not yet read back as durable.
    pub pending: usize,
    /// The message line under the panes.
    pub flash: Option<Flash>,
    /// Set when the loop should end.
    pub quit: bool,
    /// Kubeconfig context and default namespace, when a cluster is configured.
    pub cluster: Option<(String, String)>,
    /// `--read-only`: every cluster change is refused.
    pub read_only: bool,
    /// The severity matrix in force.
    pub matrix: crate::domain::policy::Matrix,
    /// Who is on call.
    pub oncall: crate::domain::policy::OnCall,
    /// Missed deadlines this cockpit already recorded.
    pub missed_reported: std::collections::BTreeSet<(crate::domain::policy::ClockKind, Timestamp)>,
    /// Scroll of the updates list and the Incident panel.
    pub overlay_scroll: usize,
    /// When each runbook was last used by an incident, for the STALE banner.
    pub runbook_used: std::collections::BTreeMap<String, Timestamp>,
    /// The latest runbook command, for the output panel.
    pub run: Option<RunView>,
    /// Id of the next command run.
    pub next_run: u64,
    /// How long a step command may run unless its contract says otherwise.
    pub command_timeout: Duration,
    /// `verify_query` checks of the shown runbook's steps, by step id.
    pub checks: std::collections::BTreeMap<String, QueryCheck>,
    /// Runbook files whose latest edit could not be loaded, and why; the
    /// library keeps their last good version.
    pub reload_errors: std::collections::BTreeMap<std::path::PathBuf, String>,
}

impl App {
    /// A cockpit with nothing reported yet; `now` seeds the clock.
    pub fn new(author: String, severity: SeverityMap, library: Library, now: Timestamp) -> Self {
        let flash = (!library.errors.is_empty()).then(|| Flash {
            at: now,
            text: format!(
                "{} runbook(s) could not be read; first: {}",
                library.errors.len(),
                library
                    .errors
                    .first()
                    .map(|e| e.to_string())
                    .unwrap_or_default()
            ),
            error: true,
        });
        App {
            now,
            author,
            severity,
            focus: Pane::Alerts,
            mode: Mode::Normal,
            alerts: AlertsState::default(),
            pods: PodsState::default(),
            metric: MetricState::default(),
            library,
            step_cursor: 0,
            incident: None,
            runbook_override: None,
            reported: HashMap::new(),
            absent: HashMap::new(),
            timeline_scroll: 0,
            help_scroll: 0,
            pending: 0,
            flash,
            quit: false,
            cluster: None,
            read_only: false,
            matrix: crate::domain::policy::Matrix::default(),
            oncall: crate::domain::policy::OnCall::default(),
            missed_reported: Default::default(),
            overlay_scroll: 0,
            runbook_used: Default::default(),
            run: None,
            next_run: 1,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            checks: Default::default(),
            reload_errors: Default::default(),
        }
    }

    /// The incident state, once its journal has been read.
    pub fn incident_state(&self) -> Option<&Incident> {
        self.incident.as_ref().and_then(|i| i.state.as_ref())
    }

    /// The runbook on screen: the open incident's, else the selected alert's as
    /// a preview.
    pub fn shown_runbook(&self) -> Option<&Runbook> {
        match self.incident_state() {
            Some(inc) => inc.runbook.as_ref().and_then(|r| self.library.get(&r.id)),
            None if self.incident.is_some() => None,
            None => {
                let selected = self.alerts.selected();
                if let Some((fp, id)) = &self.runbook_override
                    && fp.as_deref() == selected.map(|a| a.fingerprint.as_str())
                {
                    return self.library.get(id);
                }
                selected.and_then(|a| self.library.for_alert(a))
            }
        }
    }

    /// The live alert the shown runbook is for: the incident's (when it still
    /// fires) or the selected one.
    pub fn shown_alert(&self) -> Option<&Alert> {
        match self.incident_state() {
            Some(inc) => self
                .alerts
                .items
                .iter()
                .find(|a| a.fingerprint == inc.alert.fingerprint),
            None => self.alerts.selected(),
        }
    }

    /// Labels that fill the shown runbook's placeholders.
    pub fn shown_labels(&self) -> Option<&std::collections::BTreeMap<String, String>> {
        match self.incident_state() {
            Some(inc) => Some(&inc.alert.labels),
            None => self.alerts.selected().map(|a| &a.labels),
        }
    }

    /// The deadlines running on the open incident at `now`.
    pub fn clocks(&self) -> Vec<crate::domain::policy::Clock> {
        self.incident_state().map_or_else(Vec::new, |inc| {
            crate::domain::policy::clocks(inc, &self.matrix, &self.oncall, self.now)
        })
    }

    /// Whether quitting needs a confirmation.
    pub fn incident_open(&self) -> bool {
        self.incident_state().is_some_and(Incident::is_open)
    }

    /// Shows a message in the message line.
    pub fn info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: false,
            at: self.now,
        });
    }

    /// Shows an error in the message line.
    pub fn error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: true,
            at: self.now,
        });
    }
}
