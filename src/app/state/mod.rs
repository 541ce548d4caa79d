//! What the cockpit knows, grouped by the pane or concern it belongs to. `App`
//! only groups them; everything here is plain data the UI draws by reference.
//! The modal layer (dialogs, editors) is kept apart, in [`crate::app::modal`].

mod alerts;
pub mod gameday;
mod history;
mod incident;
mod metric;
mod pod_store;
mod pods;
pub mod replay;
mod runbook;
mod source;
mod timeline;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use jiff::Timestamp;

pub use alerts::AlertsState;
pub use history::{CommandHistory, HISTORY_KEPT, HISTORY_LINE_CHARS};
pub use incident::{IncidentWatch, KnownIncident, OpenIncident, Opening, PendingDeclaration};
pub use metric::{MetricState, RANGES};
pub use pod_store::{PodRows, PodStore, Rows as PodRowsList, ViewSpec, Work as PodWork};
pub use pods::{LOG_LINES_KEPT, OwnerLookup, PodDetail, PodsState, ReplicasNow};
pub use runbook::{
    DocView, OUTPUT_LINES_KEPT, PaneLayout, QueryCheck, RunView, RunbookPane, Runbooks, Runs,
};
pub use source::{SourceState, SourceStatus};
pub use timeline::TimelineRow;

use crate::domain::alert::Alert;
use crate::domain::incident::Incident;
use crate::domain::placeholder::{Use, fill};
use crate::domain::policy::{Clock, Matrix, OnCall};
use crate::domain::runbook::{Library, Runbook, Step};
use crate::domain::selector::{Selector, is_namespace, is_object_name};
use crate::domain::severity::SeverityMap;
use crate::sources::kubernetes::{OwnerSelector, PodRef, PodScope};

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

/// The moment a declaration waits on the status line before it is written.
pub const DECLARE_AFTER: jiff::SignedDuration = jiff::SignedDuration::from_secs(2);

/// Who is at this cockpit and the rules it works by: set at start, read
/// everywhere, changed by nothing in the cockpit.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Name stamped on this cockpit's events.
    pub author: String,
    /// How alert severity labels become P0/P1/P2.
    pub severity: SeverityMap,
    /// `--read-only`: every change is refused.
    pub read_only: bool,
    /// The severity matrix in force.
    pub matrix: Matrix,
    /// Who is on call.
    pub oncall: OnCall,
    /// How long a step command may run unless its contract says otherwise.
    pub command_timeout: Duration,
    /// Names of the environment variables runbook commands will see, so a
    /// `$HOME` in a command is the shell's own and not a missing label.
    pub env: BTreeSet<String>,
    /// The shell runbook commands run in when the runbook names none;
    /// `/bin/sh` when this is unset too.
    pub shell: Option<std::path::PathBuf>,
    /// Links in runbooks are also terminal hyperlinks (OSC 8): on for
    /// terminals known to show them, or as the config says.
    pub hyperlinks: bool,
    /// How long a declaration is shown before it is written, so a wrong
    /// row can be cancelled with Esc; zero writes at once.
    pub declare_after: jiff::SignedDuration,
    /// Palette, ASCII-only and colour depth for this terminal.
    pub look: crate::look::Look,
    /// Kube contexts that are production: a game-day there is refused
    /// unless its experiment allows it and the context's name is typed.
    pub production_contexts: Vec<String>,
    /// The simulated incident: game-days run against its simulated
    /// cluster, in the context `demo`.
    pub demo: bool,
}

impl Settings {
    /// Defaults for a responder called `author`.
    pub fn new(author: String, severity: SeverityMap) -> Self {
        Settings {
            author,
            severity,
            read_only: false,
            matrix: Matrix::default(),
            oncall: OnCall::default(),
            command_timeout: crate::exec::DEFAULT_COMMAND_TIMEOUT,
            env: BTreeSet::new(),
            shell: None,
            hyperlinks: false,
            declare_after: DECLARE_AFTER,
            look: crate::look::Look::default(),
            production_contexts: Vec::new(),
            demo: false,
        }
    }
}

/// All cockpit state outside the modal layer.
#[derive(Debug)]
pub struct App {
    /// The clock, set by the loop; everything time-dependent is drawn from it.
    pub now: Timestamp,
    /// Who works here and by which rules.
    pub settings: Settings,
    /// The pane keys go to; in the compact layout, the one on screen.
    pub focus: Pane,
    /// The Alerts pane.
    pub alerts: AlertsState,
    /// The Pods pane.
    pub pods: PodsState,
    /// The Metrics pane.
    pub metric: MetricState,
    /// The runbook library and what is known about it.
    pub runbooks: Runbooks,
    /// The Runbook pane.
    pub runbook: RunbookPane,
    /// Rows the Timeline pane's cursor is back from the newest entry; 0
    /// follows new entries.
    pub timeline_scroll: usize,
    /// The Timeline pane shows every entry in full, wrapped.
    pub timeline_wrap: bool,
    /// The focused pane fills the screen.
    pub zoom: bool,
    /// How far the overlay that is up can scroll, as last drawn (its lines
    /// wrap to the screen's width, which only drawing knows).
    pub overlay_max: Option<usize>,
    /// The incident being worked, if any.
    pub incident: Option<OpenIncident>,
    /// What this cockpit wrote about the incident and has not seen back yet.
    pub watch: IncidentWatch,
    /// Runbook commands.
    pub runs: Runs,
    /// The message line under the panes.
    pub flash: Option<Flash>,
    /// Set when the loop should end.
    pub quit: bool,
    /// Kubeconfig context and default namespace, when a cluster is configured.
    pub cluster: Option<(String, String)>,
    /// `:reveal`: secrets in notes, commands, output and updates are drawn as
    /// typed at this terminal. Off, they are masked: a shared tmux session
    /// is an audience.
    pub reveal: bool,
    /// What `warroom open` asked for, until the first alerts answer it.
    pub opening: Option<Opening>,
    /// Incidents in the data dir when the cockpit started (to join or
    /// offer what a link points at).
    pub known: Vec<KnownIncident>,
    /// Keys that arrive before this moment came with a paste: a pasted text
    /// holding a forged end-of-paste marker would otherwise go on as
    /// keystrokes (Enter, `y`, `:`). They are dropped.
    pub paste_guard: Option<Timestamp>,
    /// Command lines submitted, redacted, for Up and Down on the `:` line.
    pub history: CommandHistory,
    /// The game-day this cockpit loaded or runs.
    pub gameday: Option<gameday::GamedayRun>,
    /// Chaos faults warroom applied earlier that are still present.
    pub leftovers: Vec<crate::sources::kubernetes::FaultRef>,
    /// Whether a responder asked for the leftover search (`:cleanup`,
    /// `:abort`): only then is "nothing found" worth saying, since the
    /// search at start must not bury what the responder is reading.
    pub leftovers_asked: bool,
    /// `warroom replay`: the journal played back, nothing written.
    pub replay: Option<replay::ReplayState>,
    /// How sharing through the cluster stands, with `--share`.
    pub share: Option<crate::share::sync::ShareStatus>,
    /// Incidents declared on other hosts, by alert (`--share`).
    pub claims: Vec<crate::share::objects::Claim>,
}

impl App {
    /// A cockpit with nothing reported yet; `now` seeds the clock.
    pub fn new(author: String, severity: SeverityMap, library: Library, now: Timestamp) -> Self {
        Self::with_settings(Settings::new(author, severity), library, now)
    }

    /// A cockpit working by `settings`.
    pub fn with_settings(settings: Settings, library: Library, now: Timestamp) -> Self {
        App {
            now,
            settings,
            focus: Pane::Alerts,
            alerts: AlertsState::default(),
            pods: PodsState::default(),
            metric: MetricState::default(),
            runbooks: Runbooks {
                library,
                ..Runbooks::default()
            },
            runbook: RunbookPane::default(),
            timeline_scroll: 0,
            timeline_wrap: false,
            zoom: false,
            overlay_max: None,
            incident: None,
            watch: IncidentWatch::default(),
            runs: Runs::default(),
            flash: None,
            quit: false,
            cluster: None,
            reveal: false,
            paste_guard: None,
            opening: None,
            known: Vec::new(),
            history: CommandHistory::default(),
            gameday: None,
            leftovers: Vec::new(),
            leftovers_asked: false,
            replay: None,
            share: None,
            claims: Vec::new(),
        }
    }

    /// Who declared the incident for this alert on another host (author,
    /// host), with `--share`: for the alert's day or today.
    pub fn claimed_elsewhere(
        &self,
        fingerprint: &str,
        starts_at: Timestamp,
    ) -> Option<(&str, &str)> {
        let days = [starts_at, self.now].map(|t| t.strftime("%Y-%m-%d").to_string());
        let here = crate::journal::host_name();
        self.claims
            .iter()
            .find(|c| c.fingerprint == fingerprint && days.contains(&c.day) && c.host != here)
            .map(|c| (c.author.as_str(), c.host.as_str()))
    }

    /// The kind of exercise (`drill`, `gameday`) an alert of this name
    /// belongs to: the open one here, or one open in the data dir when the
    /// cockpit started.
    pub fn exercise_claiming(&self, alert: &str, starts_at: Timestamp) -> Option<&str> {
        let here = self
            .incident_state()
            .filter(|i| i.is_open())
            .and_then(|i| i.exercise.as_ref().map(|x| (x, i.declared.at)))
            .filter(|(x, since)| x.plan.claims_alert(alert, starts_at, *since))
            .map(|(x, _)| x.plan.kind());
        here.or_else(|| self.runbooks.history.claimed_by(alert, starts_at))
    }

    /// The incident state, once its journal has been read.
    pub fn incident_state(&self) -> Option<&Incident> {
        self.incident.as_ref().and_then(|i| i.state.as_ref())
    }

    /// The runbook on screen: the open incident's, else the selected alert's as
    /// a preview.
    pub fn shown_runbook(&self) -> Option<&Runbook> {
        let library = &self.runbooks.library;
        match self.incident_state() {
            Some(inc) => {
                let chosen = self
                    .runbook
                    .shown
                    .as_deref()
                    .filter(|id| inc.attached_runbook(id).is_some());
                chosen
                    .or(inc.runbook.as_ref().map(|r| r.id.as_str()))
                    .and_then(|id| library.get(id))
            }
            None if self.incident.is_some() => None,
            None => {
                let selected = self.alerts.selected();
                if let Some((fp, id)) = &self.runbook.preview
                    && fp.as_deref() == selected.map(|a| a.fingerprint.as_str())
                {
                    return library.get(id);
                }
                selected.and_then(|a| library.for_alert(a))
            }
        }
    }

    /// The live alert the shown runbook is for: the incident's (when it still
    /// fires) or the selected one.
    pub fn shown_alert(&self) -> Option<&Alert> {
        match self.incident_state() {
            Some(inc) => self
                .alerts
                .items()
                .iter()
                .find(|a| a.fingerprint == inc.alert.fingerprint),
            None => self.alerts.selected(),
        }
    }

    /// Labels that fill the shown runbook's placeholders.
    pub fn shown_labels(&self) -> Option<&BTreeMap<String, String>> {
        match self.incident_state() {
            Some(inc) => Some(&inc.alert.labels),
            None => self.alerts.selected().map(|a| &a.labels),
        }
    }

    /// The step under the cursor in the shown runbook.
    pub fn selected_step(&self) -> Option<&Step> {
        self.shown_runbook()
            .and_then(|rb| rb.steps().nth(self.runbook.cursor))
            .map(|(_, s)| s)
    }

    /// Who ticked step `id` of the shown runbook, and when, if it is done.
    pub fn shown_step_done(&self, id: &str) -> Option<&crate::domain::incident::Mark> {
        let rb = self.shown_runbook()?;
        let (_, st) = rb.step(id)?;
        self.incident_state()?.step_done(&rb.id, st)
    }

    /// How step `id` of the shown runbook was verified, if it was.
    pub fn shown_step_verified(
        &self,
        id: &str,
    ) -> Option<&(crate::domain::incident::Mark, String)> {
        let rb = self.shown_runbook()?;
        let (_, st) = rb.step(id)?;
        self.incident_state()?.step_verified(&rb.id, st)
    }

    /// Required steps of `step` that are not done, unless its gate was
    /// overridden already.
    pub fn unmet_requires(&self, step: &Step) -> Vec<String> {
        let (Some(inc), Some(rb)) = (self.incident_state(), self.shown_runbook()) else {
            return step.requires().to_vec();
        };
        if inc.step_overridden(&rb.id, step).is_some() {
            return Vec::new();
        }
        step.requires()
            .iter()
            .filter(|r| {
                let done = match rb.step(r) {
                    Some((_, required)) => inc.step_done(&rb.id, required),
                    None => inc.step_done(
                        &rb.id,
                        crate::domain::incident::StepName { id: r, key: None },
                    ),
                };
                done.is_none()
            })
            .cloned()
            .collect()
    }

    /// Whether a runbook command is running now.
    pub fn running(&self) -> bool {
        self.runs.running()
    }

    /// The deadlines running on the open incident at `now`.
    pub fn clocks(&self) -> Vec<Clock> {
        // An exercise is never paged: no response deadlines run.
        self.incident_state()
            .filter(|i| i.exercise.is_none())
            .map_or_else(Vec::new, |inc| {
                crate::domain::policy::clocks(
                    inc,
                    &self.settings.matrix,
                    &self.settings.oncall,
                    self.now,
                )
            })
    }

    /// Whether quitting needs a confirmation.
    pub fn incident_open(&self) -> bool {
        self.incident_state().is_some_and(Incident::is_open)
    }

    /// The scope as written: `:ns` / `:selector` first, then the runbook's
    /// front matter (placeholders filled from the alert), then the alert's
    /// `namespace` / `pod` labels, then the cluster's default namespace. A
    /// half-filled selector would match nothing, so one with a gap is unused.
    fn pinned_scope(&self) -> PodScope {
        let labels = self.shown_labels().cloned().unwrap_or_default();
        let rb = self.shown_runbook();
        // Values from alert labels go to the API server only when they are
        // valid Kubernetes syntax; anything else is not used at all.
        let exact = |text: &str| fill(text, &labels, Use::Exact).ready();
        let rb_ns = rb
            .and_then(|r| r.meta.namespace.as_deref())
            .and_then(exact)
            .filter(|n| is_namespace(n));
        let rb_sel = rb
            .and_then(|r| r.meta.selector.as_deref())
            .and_then(exact)
            .filter(|s| Selector::parse(s).is_ok());
        let namespace = self
            .pods
            .namespace_override
            .clone()
            .or(rb_ns)
            .or_else(|| labels.get("namespace").cloned().filter(|n| is_namespace(n)))
            .or_else(|| self.cluster.as_ref().map(|c| c.1.clone()))
            .unwrap_or_default();
        let selector = self.pods.selector_override.clone().or(rb_sel);
        let name = if selector.is_none() && self.pods.namespace_override.is_none() {
            labels.get("pod").cloned().filter(|p| is_object_name(p))
        } else {
            None
        };
        PodScope {
            namespace,
            selector,
            name,
        }
    }

    /// The pods to watch: the scope as written, except that an alert's pod
    /// widens to its workload's selector once the API has named it, so a
    /// replacement of the pod shows too.
    pub fn pod_scope(&self) -> PodScope {
        let scope = self.pinned_scope();
        let owner = scope
            .name
            .as_deref()
            .and_then(|n| self.owner_of(&scope.namespace, n))
            .map(|o| o.selector.clone());
        match owner {
            Some(selector) => PodScope {
                selector: Some(selector),
                name: None,
                ..scope
            },
            None => scope,
        }
    }

    /// The alert's pod the scope is pinned to before it widens to the pod's
    /// workload, if it is.
    pub fn alert_pod(&self) -> Option<PodRef> {
        let scope = self.pinned_scope();
        scope.name.map(|name| PodRef {
            namespace: scope.namespace,
            name,
        })
    }

    /// The workload found for pod `name` in `namespace`, if the API named one.
    fn owner_of(&self, namespace: &str, name: &str) -> Option<&OwnerSelector> {
        let lookup = self.pods.owner_scope.as_ref()?;
        if lookup.pod.namespace != namespace || lookup.pod.name != name {
            return None;
        }
        match &lookup.answer {
            Some(Ok(Some(o))) => Some(o),
            _ => None,
        }
    }

    /// Why the scope in force is what it is, when it came from an alert's
    /// pod: widened to its owner, or still that pod's name and why.
    pub fn scope_note(&self) -> Option<String> {
        let pod = self.alert_pod()?;
        let lookup = self.pods.owner_scope.as_ref().filter(|l| l.pod == pod);
        Some(match lookup.map(|l| &l.answer) {
            Some(Some(Ok(Some(o)))) => format!(
                "owner of {}: {} {}",
                pod.name,
                o.owner.kind.to_lowercase(),
                o.owner.name
            ),
            Some(None) => format!("pod {} only, finding its owner…", pod.name),
            Some(Some(Ok(None))) => format!("pod {} only: it has no workload", pod.name),
            Some(Some(Err(e))) => format!("pod {} only: owner not found: {e}", pod.name),
            None => format!("pod {} only", pod.name),
        })
    }

    /// What the Pods pane shows: the scope in force and the `/` filter.
    pub fn pod_view_spec(&self) -> ViewSpec {
        ViewSpec {
            scope: self.pod_scope(),
            filter: self.pods.filter.clone(),
        }
    }

    /// Pods in scope that pass the `/` filter, unhealthy first, with the
    /// counts the title needs. A selector that cannot be read shows no pods
    /// (the Pods pane says why).
    pub fn pod_rows(&self) -> PodRows<'_> {
        self.pods.store.rows(&self.pod_view_spec())
    }

    /// The visible pods, in order.
    pub fn visible_pods(&self) -> PodRowsList<'_> {
        self.pod_rows().rows
    }

    /// Whether the environment runbook commands run in has this variable.
    pub fn shell_has(&self, name: &str) -> bool {
        self.settings.env.contains(name)
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

    /// Takes an old error off the message line once something the responder
    /// did went through: a stale error must not read as the latest result.
    pub fn clear_error(&mut self) {
        if self.flash.as_ref().is_some_and(|f| f.error) {
            self.flash = None;
        }
    }
}
