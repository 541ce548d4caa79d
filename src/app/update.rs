//! The reducer: `update(&mut App, Msg) -> Vec<Effect>`. It never waits and never
//! does I/O; the loop performs the returned effects and feeds results back in as
//! messages. This keeps every behaviour testable without a terminal.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use jiff::Timestamp;
use ratatui_textarea::TextArea;

use super::command::{self, Command};
use super::keys::{self, Action};
use super::state::{App, Mode, OpenIncident, Pane};
use crate::domain::alert;
use crate::domain::incident::{AlertRef, Event, EventKind, Incident, RunbookRef};
use crate::domain::placeholder::fill_string;
use crate::domain::pod::Pod;
use crate::domain::time::{to_millis, utc_clock};
use crate::journal::{Declared, JournalMsg, Opened, Position};
use crate::sources::SourceMsg;

/// Everything that can change the state.
#[derive(Debug)]
pub enum Msg {
    /// A key press from the terminal.
    Key(KeyEvent),
    /// The 1 Hz clock, so ages and elapsed times move.
    Tick(Timestamp),
    /// Something a data source reported.
    Source(SourceMsg),
    /// Something the incident journal reported.
    Journal(JournalMsg),
    /// The answer to an `Effect::Declare`.
    Declared(Result<Opened, String>),
    /// The answer to an `Effect::Export`.
    Exported(Result<PathBuf, String>),
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
    /// Write the postmortem draft of an incident.
    Export {
        /// The incident to export.
        id: String,
        /// Where to write it; `None` means `<data dir>/exports/<id>.md`.
        path: Option<PathBuf>,
    },
    /// The metric query the sources should serve now.
    Query(Option<String>),
}

/// Applies one message.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(key) => on_key(app, key, &mut fx),
        Msg::Tick(now) => app.now = now,
        Msg::Source(s) => on_source(app, s),
        Msg::Journal(j) => on_journal(app, j),
        Msg::Declared(Ok(opened)) => {
            let id = opened.declared.id().to_string();
            match &opened.declared {
                Declared::New(_) => app.info(format!("declared incident {id}")),
                Declared::Joined(_) => app.info(format!("joined open incident {id}")),
            }
            app.incident = Some(OpenIncident {
                id: id.clone(),
                events: Vec::new(),
                state: None,
            });
            app.timeline_scroll = 0;
            app.step_cursor = 0;
            app.focus = Pane::Runbook;
            on_journal(
                app,
                JournalMsg::Events {
                    id: id.clone(),
                    events: opened.events,
                },
            );
            if let Some(w) = opened.warnings.first() {
                app.error(w.clone());
            }
            fx.push(Effect::Follow {
                id,
                from: opened.position,
            });
        }
        Msg::Declared(Err(e)) => app.error(format!("could not declare the incident: {e}")),
        Msg::Exported(Ok(path)) => {
            app.info(format!("postmortem draft written to {}", path.display()))
        }
        Msg::Exported(Err(e)) => app.error(format!("export failed: {e}")),
    }
    sync_query(app, &mut fx);
    fx
}

fn on_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    match std::mem::take(&mut app.mode) {
        Mode::Normal => {
            if let Some(action) = keys::lookup(&key, app.focus) {
                act(app, action, fx);
            }
        }
        Mode::Help => match key.code {
            KeyCode::Esc | KeyCode::Char('q' | '?') | KeyCode::Enter => {}
            KeyCode::Char('j') | KeyCode::Down => {
                app.help_scroll += 1;
                app.mode = Mode::Help;
            }
            KeyCode::Char('k') | KeyCode::Up => {
                app.help_scroll = app.help_scroll.saturating_sub(1);
                app.mode = Mode::Help;
            }
            _ => app.mode = Mode::Help,
        },
        Mode::ConfirmQuit => match key.code {
            KeyCode::Char('y' | 'Y') => app.quit = true,
            KeyCode::Char('n' | 'N') | KeyCode::Esc => {}
            _ => app.mode = Mode::ConfirmQuit,
        },
        Mode::Note(mut ta) => match key.code {
            KeyCode::Esc => app.info("note discarded"),
            KeyCode::Enter
                if !key
                    .modifiers
                    .intersects(KeyModifiers::SHIFT | KeyModifiers::ALT) =>
            {
                let text = ta.lines().join("\n").trim().to_string();
                if text.is_empty() {
                    app.info("empty note discarded");
                } else {
                    record(app, EventKind::Note { text }, fx);
                }
            }
            _ => {
                ta.input(key);
                app.mode = Mode::Note(ta);
            }
        },
        Mode::Command(mut ta) => match key.code {
            KeyCode::Esc => {}
            KeyCode::Enter => {
                let line = ta.lines().join(" ");
                match command::parse(&line) {
                    Ok(cmd) => run_command(app, cmd, fx),
                    Err(e) => app.error(e),
                }
            }
            _ => {
                ta.input(key);
                app.mode = Mode::Command(ta);
            }
        },
    }
}

fn act(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::Quit => request_quit(app),
        Action::Help => {
            app.help_scroll = 0;
            app.mode = Mode::Help;
        }
        Action::FocusNext => app.focus = app.focus.next(),
        Action::FocusPrev => app.focus = app.focus.prev(),
        Action::Focus(p) => app.focus = p,
        Action::Up => move_by(app, -1),
        Action::Down => move_by(app, 1),
        Action::PageUp => move_by(app, -10),
        Action::PageDown => move_by(app, 10),
        Action::Top => move_by(app, isize::MIN / 2),
        Action::Bottom => move_by(app, isize::MAX / 2),
        Action::Open => open_selected_alert(app, fx),
        Action::ToggleStep => toggle_step(app, fx),
        Action::Note => {
            if require_incident(app).is_some() {
                let mut ta = TextArea::default();
                ta.set_placeholder_text("What did you see or do? Enter saves, Esc cancels.");
                app.mode = Mode::Note(Box::new(ta));
            }
        }
        Action::CommandLine => app.mode = Mode::Command(Box::new(TextArea::default())),
    }
}

fn request_quit(app: &mut App) {
    if app.incident_open() {
        app.mode = Mode::ConfirmQuit;
    } else {
        app.quit = true;
    }
}

fn step(cursor: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    cursor.saturating_add_signed(delta).min(len - 1)
}

fn move_by(app: &mut App, delta: isize) {
    match app.focus {
        Pane::Alerts => {
            app.alerts.cursor = step(app.alerts.cursor, delta, app.alerts.items.len());
            app.alerts.selected = app.alerts.selected().map(|a| a.fingerprint.clone());
        }
        Pane::Runbook => {
            let len = app.shown_runbook().map_or(0, |r| r.steps().count());
            app.step_cursor = step(app.step_cursor, delta, len);
        }
        Pane::Pods => {
            let len = app.visible_pods().len();
            app.pods.cursor = step(app.pods.cursor, delta, len);
        }
        Pane::Timeline => {
            let len = app.incident.as_ref().map_or(0, |i| i.events.len());
            // Up scrolls back in time; back at 0 the pane follows new events.
            app.timeline_scroll = step(app.timeline_scroll, -delta, len.max(1));
        }
        Pane::Metrics => {}
    }
}

fn open_selected_alert(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(alert) = app.alerts.selected().cloned() else {
        app.error("no alert selected");
        return;
    };
    if let Some(inc) = app.incident_state()
        && inc.alert.fingerprint == alert.fingerprint
        && inc.is_open()
    {
        app.focus = Pane::Runbook;
        app.step_cursor = 0;
        return;
    }
    let runbook = app.library.for_alert(&alert).map(RunbookRef::from_runbook);
    if runbook.is_none() {
        app.error(format!(
            "no runbook covers {}; declaring without one",
            alert.name()
        ));
    }
    let title = match alert.summary() {
        "" => alert.name().to_string(),
        s => s.to_string(),
    };
    let event = Event {
        ts: to_millis(app.now),
        author: app.author.clone(),
        kind: EventKind::Declared {
            id: String::new(),
            title,
            severity: app.severity.map(alert.severity_label()),
            alert: AlertRef::from_alert(&alert),
            runbook,
        },
    };
    fx.push(Effect::Declare(event));
}

fn require_incident(app: &mut App) -> Option<Incident> {
    let inc = app.incident_state().cloned();
    if inc.is_none() {
        app.error("no incident open: select an alert and press Enter to declare one");
    }
    inc
}

fn toggle_step(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(inc) = require_incident(app) else {
        return;
    };
    let Some(rb) = app.shown_runbook() else {
        app.error("this incident has no runbook in the library");
        return;
    };
    let count = rb.steps().count();
    let Some((section, st)) = rb.steps().nth(app.step_cursor) else {
        app.error("no step selected");
        return;
    };
    let (step, section, text) = (st.id.clone(), section.heading.clone(), st.text.clone());
    let kind = if inc.step_done(&step).is_some() {
        EventKind::StepUndone {
            step,
            section,
            text,
        }
    } else {
        EventKind::StepDone {
            step,
            section,
            text,
        }
    };
    record(app, kind, fx);
    app.step_cursor = (app.step_cursor + 1).min(count.saturating_sub(1));
}

/// Queues an event for the journal; the UI shows it once it is read back.
fn record(app: &mut App, kind: EventKind, fx: &mut Vec<Effect>) {
    let event = Event {
        ts: to_millis(app.now),
        author: app.author.clone(),
        kind,
    };
    app.pending += 1;
    fx.push(Effect::Append(event));
}

fn run_command(app: &mut App, cmd: Command, fx: &mut Vec<Effect>) {
    match cmd {
        Command::Help => {
            app.help_scroll = 0;
            app.mode = Mode::Help;
            return;
        }
        Command::Quit => return request_quit(app),
        _ => {}
    }
    let Some(inc) = require_incident(app) else {
        return;
    };
    let already = |what: &str, m: &Option<crate::domain::incident::Mark>| {
        m.as_ref()
            .map(|m| format!("already {what} at {} UTC by {}", utc_clock(m.at), m.by))
    };
    let kind = match cmd {
        Command::Ack => match already("acknowledged", &inc.acknowledged) {
            Some(msg) => return app.info(msg),
            None => EventKind::Acknowledged,
        },
        Command::Mitigated => match already("mitigated", &inc.mitigated) {
            Some(msg) => return app.info(msg),
            None => EventKind::Mitigated,
        },
        Command::Resolve => match already("resolved", &inc.resolved) {
            Some(msg) => return app.info(msg),
            None => EventKind::Resolved,
        },
        Command::Reopen if inc.is_open() => return app.info("the incident is open already"),
        Command::Reopen => EventKind::Reopened,
        Command::Sev(to) if to == inc.severity => {
            return app.info(format!("severity is already {to}"));
        }
        Command::Sev(to) => EventKind::SeverityChanged {
            from: inc.severity,
            to,
        },
        Command::Note(text) => EventKind::Note { text },
        Command::Export(path) => {
            fx.push(Effect::Export {
                id: inc.id.clone(),
                path,
            });
            return;
        }
        Command::Help | Command::Quit => return,
    };
    record(app, kind, fx);
}

fn on_source(app: &mut App, msg: SourceMsg) {
    match msg {
        SourceMsg::Alerts { source, result } => match result {
            Ok(mut items) => {
                items.sort_by(alert::compare);
                app.alerts.items = items;
                let found = app
                    .alerts
                    .selected
                    .as_ref()
                    .and_then(|fp| app.alerts.items.iter().position(|a| &a.fingerprint == fp));
                let len = app.alerts.items.len();
                app.alerts.cursor = found
                    .unwrap_or(app.alerts.cursor)
                    .min(len.saturating_sub(1));
                app.alerts.selected = app.alerts.selected().map(|a| a.fingerprint.clone());
                app.alerts.status.ok(&source, app.now);
            }
            Err(e) => app.alerts.status.failed(&source, e),
        },
        SourceMsg::Pods { source, result } => match result {
            Ok(mut items) => {
                items.sort_by(|a, b| {
                    a.is_healthy()
                        .cmp(&b.is_healthy())
                        .then_with(|| a.name.cmp(&b.name))
                });
                app.pods.items = items;
                let len = app.visible_pods().len();
                app.pods.cursor = app.pods.cursor.min(len.saturating_sub(1));
                app.pods.status.ok(&source, app.now);
            }
            Err(e) => app.pods.status.failed(&source, e),
        },
        SourceMsg::Metric {
            source,
            query,
            result,
        } => {
            if app.metric.query.as_deref() != Some(query.as_str()) {
                return; // an answer to a query nobody wants any more
            }
            match result {
                Ok(data) => {
                    app.metric.data = Some(data);
                    app.metric.error = None;
                    app.metric.status.ok(&source, app.now);
                }
                Err(e) => {
                    app.metric.error = Some(e.clone());
                    app.metric.status.failed(&source, e);
                }
            }
        }
    }
}

fn on_journal(app: &mut App, msg: JournalMsg) {
    match msg {
        JournalMsg::Events { id, events } => {
            let Some(open) = app.incident.as_mut().filter(|i| i.id == id) else {
                return;
            };
            let mine = events.iter().filter(|e| e.author == app.author).count();
            let added = events.len();
            for e in &events {
                if let Some(state) = open.state.as_mut() {
                    state.apply(e);
                }
            }
            open.events.extend(events);
            if open.state.is_none() {
                match Incident::fold(&open.events) {
                    Ok(s) => open.state = Some(s),
                    Err(e) => {
                        let msg = format!("incident {id}: {e}");
                        app.error(msg);
                    }
                }
            }
            app.pending = app.pending.saturating_sub(mine);
            if app.timeline_scroll > 0 {
                app.timeline_scroll += added;
            }
        }
        JournalMsg::Warning(w) => app.error(w),
        JournalMsg::AppendFailed { error, .. } => {
            app.pending = app.pending.saturating_sub(1);
            app.error(format!("NOT SAVED: {error}"));
        }
    }
}

/// Keeps the wanted metric query in step with the runbook on screen.
fn sync_query(app: &mut App, fx: &mut Vec<Effect>) {
    let labels = app.shown_labels().cloned().unwrap_or_default();
    let rb = app.shown_runbook();
    let wanted = rb
        .and_then(|r| r.meta.query.as_deref())
        .map(|q| fill_string(q, &labels));
    let threshold = rb.and_then(|r| r.meta.threshold);
    if wanted != app.metric.query {
        app.metric.query = wanted.clone();
        app.metric.threshold = threshold;
        app.metric.data = None;
        app.metric.error = None;
        fx.push(Effect::Query(wanted));
    }
}

impl App {
    /// Pods in the shown runbook's namespace and selector (placeholders filled),
    /// or all pods when there is no runbook scope.
    pub fn visible_pods(&self) -> Vec<&Pod> {
        let (ns, sel) = self.pod_scope();
        self.pods
            .items
            .iter()
            .filter(|p| ns.as_deref().is_none_or(|n| p.namespace == n))
            .filter(|p| sel.as_deref().is_none_or(|s| p.matches(s)))
            .collect()
    }

    /// Namespace and selector the Pods pane is scoped to.
    pub fn pod_scope(&self) -> (Option<String>, Option<String>) {
        let labels = self.shown_labels().cloned().unwrap_or_default();
        let Some(rb) = self.shown_runbook() else {
            return (None, None);
        };
        let ns = rb
            .meta
            .namespace
            .as_deref()
            .map(|n| fill_string(n, &labels));
        let sel = rb.meta.selector.as_deref().map(|s| fill_string(s, &labels));
        (ns, sel)
    }
}
