//! What the cockpit knows. Each pane's state is its own small struct; `App` only
//! groups them. Everything here is plain data that the UI draws by reference.

use jiff::Timestamp;
use ratatui_textarea::TextArea;

use crate::domain::alert::Alert;
use crate::domain::incident::{Event, Incident};
use crate::domain::metric::MetricData;
use crate::domain::pod::Pod;
use crate::domain::runbook::{Library, Runbook};
use crate::domain::severity::SeverityMap;

/// The panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Alerts,
    Runbook,
    Pods,
    Metrics,
    Timeline,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::Alerts,
        Pane::Runbook,
        Pane::Pods,
        Pane::Metrics,
        Pane::Timeline,
    ];

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

    pub fn next(self) -> Pane {
        Pane::ALL[(self.index() + 1) % Pane::ALL.len()]
    }

    pub fn prev(self) -> Pane {
        Pane::ALL[(self.index() + Pane::ALL.len() - 1) % Pane::ALL.len()]
    }
}

/// A modal layer over the panes; only one at a time.
#[derive(Debug, Default)]
pub enum Mode {
    #[default]
    Normal,
    Help,
    Note(Box<TextArea<'static>>),
    Command(Box<TextArea<'static>>),
    ConfirmQuit,
}

/// Health of one source, judged at draw time against the clock.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceStatus {
    pub name: String,
    pub last_ok: Option<Timestamp>,
    pub error: Option<String>,
}

impl SourceStatus {
    pub fn ok(&mut self, name: &str, at: Timestamp) {
        self.name = name.to_string();
        self.last_ok = Some(at);
        self.error = None;
    }

    pub fn failed(&mut self, name: &str, error: String) {
        self.name = name.to_string();
        self.error = Some(error);
    }
}

/// The alerts list, kept sorted; selection follows the alert, not the row.
#[derive(Debug, Default)]
pub struct AlertsState {
    pub items: Vec<Alert>,
    pub cursor: usize,
    pub selected: Option<String>,
    pub status: SourceStatus,
}

impl AlertsState {
    pub fn selected(&self) -> Option<&Alert> {
        self.items.get(self.cursor)
    }
}

/// The pods list; unhealthy pods first.
#[derive(Debug, Default)]
pub struct PodsState {
    pub items: Vec<Pod>,
    pub cursor: usize,
    pub status: SourceStatus,
}

/// The chart: which query is wanted and the latest answer for it.
#[derive(Debug, Default)]
pub struct MetricState {
    pub query: Option<String>,
    pub threshold: Option<f64>,
    pub data: Option<MetricData>,
    pub error: Option<String>,
    pub status: SourceStatus,
}

/// The incident this cockpit is working, as its journal says.
#[derive(Debug)]
pub struct OpenIncident {
    pub id: String,
    pub events: Vec<Event>,
    pub state: Option<Incident>,
}

/// A one-line message under the panes (command results, errors).
#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
}

/// All cockpit state.
#[derive(Debug)]
pub struct App {
    /// The clock, set by the loop; everything time-dependent is drawn from it.
    pub now: Timestamp,
    pub author: String,
    pub severity: SeverityMap,
    pub focus: Pane,
    pub mode: Mode,
    pub alerts: AlertsState,
    pub pods: PodsState,
    pub metric: MetricState,
    pub library: Library,
    /// Selected step, as an index into the shown runbook's steps.
    pub step_cursor: usize,
    pub incident: Option<OpenIncident>,
    /// Lines scrolled up from the newest event; 0 follows new events.
    pub timeline_scroll: usize,
    /// Scroll offset of the help overlay.
    pub help_scroll: usize,
    /// Events sent to the journal and not yet read back as durable.
    pub pending: usize,
    pub flash: Option<Flash>,
    pub quit: bool,
}

impl App {
    pub fn new(author: String, severity: SeverityMap, library: Library, now: Timestamp) -> Self {
        let flash = (!library.errors.is_empty()).then(|| Flash {
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
            timeline_scroll: 0,
            help_scroll: 0,
            pending: 0,
            flash,
            quit: false,
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
            None => self
                .alerts
                .selected()
                .and_then(|a| self.library.for_alert(a)),
        }
    }

    /// Labels that fill the shown runbook's placeholders.
    pub fn shown_labels(&self) -> Option<&std::collections::BTreeMap<String, String>> {
        match self.incident_state() {
            Some(inc) => Some(&inc.alert.labels),
            None => self.alerts.selected().map(|a| &a.labels),
        }
    }

    /// Whether quitting needs a confirmation.
    pub fn incident_open(&self) -> bool {
        self.incident_state().is_some_and(Incident::is_open)
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: false,
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            error: true,
        });
    }
}
