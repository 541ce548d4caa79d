//! The reducer: `update(&mut App, Msg) -> Vec<Effect>`. It never waits and never
//! does I/O; the loop performs the returned effects and feeds results back in as
//! messages. This keeps every behaviour testable without a terminal.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use jiff::Timestamp;
use ratatui_textarea::TextArea;

use super::command::{self, Command};
use super::keys::{self, Action};
use super::state::{App, Mode, OpenIncident, Pane, RANGES};
use crate::domain::alert::{self, Alert, AlertState};
use crate::domain::incident::{AlertRef, Event, EventKind, Incident, Purpose, RunbookRef};
use crate::domain::placeholder::fill_string;
use crate::domain::time::{short_duration, to_millis, utc_clock};
use crate::journal::{Declared, JournalMsg, Opened, Position};
use crate::sources::kubernetes::{Action as ClusterAction, PodRef, PodScope};
use crate::sources::{Feed, MetricRequest, SourceMsg};

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
    /// The terminal's size, at start and after every resize.
    Resize(u16, u16),
    /// The answer to an `Effect::Silence`.
    Silenced(Result<SilenceDone, String>),
    /// The answer to an `Effect::Unsilence`: the id that was expired.
    Unsilenced(Result<String, String>),
    /// Output or the end of a runbook command.
    Run(crate::exec::RunReport),
    /// The answer to an `Effect::CheckQuery`: series returned, or why not.
    QueryChecked {
        /// The step whose `verify_query` it was.
        step: String,
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
    pub starts_at: jiff::Timestamp,
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
    pub until: jiff::Timestamp,
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
    /// Run a runbook command (already confirmed by the user).
    Run(crate::exec::RunSpec),
    /// Stop a running command and everything it started.
    CancelRun(u64),
    /// Ask Prometheus whether a step's `verify_query` returns data.
    CheckQuery {
        /// The step.
        step: String,
        /// The query, placeholders filled.
        query: String,
    },
}

/// Applies one message.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(key) => on_key(app, key, &mut fx),
        Msg::Tick(now) => {
            app.now = now;
            super::incident::check_deadlines(app, &mut fx);
            super::steps::check_queries(app, &mut fx);
        }
        Msg::Run(report) => super::steps::on_run_report(app, report, &mut fx),
        Msg::QueryChecked {
            step,
            query,
            result,
        } => super::steps::on_query_checked(app, step, query, result, &mut fx),
        Msg::Source(s) => on_source(app, s, &mut fx),
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
        Msg::Resize(w, h) => app.metric.width = crate::ui::chart_width(w, h),
        Msg::Silenced(Ok(done)) => {
            app.info(format!(
                "silence {} created for {} until {} UTC",
                done.silence_id,
                done.alert,
                utc_clock(done.until)
            ));
            if app.incident_state().is_some() {
                record(
                    app,
                    EventKind::SilenceCreated {
                        silence_id: done.silence_id,
                        alert: done.alert,
                        fingerprint: done.fingerprint,
                        until: to_millis(done.until),
                    },
                    &mut fx,
                );
            }
        }
        Msg::Silenced(Err(e)) => app.error(format!("silence not created: {e}")),
        Msg::Unsilenced(Ok(id)) => {
            app.info(format!("silence {id} expired"));
            if app.incident_state().is_some() {
                record(app, EventKind::SilenceExpired { silence_id: id }, &mut fx);
            }
        }
        Msg::Unsilenced(Err(e)) => app.error(format!("silence not expired: {e}")),
        Msg::ClusterDone { action, result } => {
            let (ok, outcome) = match result {
                Ok(done) => {
                    app.info(done.clone());
                    (true, done)
                }
                Err(e) => {
                    app.error(format!("{action}: refused: {e}"));
                    (false, e)
                }
            };
            if app.incident_state().is_some() {
                record(
                    app,
                    EventKind::ClusterAction {
                        action,
                        ok,
                        outcome,
                    },
                    &mut fx,
                );
            }
        }
    }
    sync_query(app, &mut fx);
    super::pods::sync_scope(app, &mut fx);
    fx
}

fn on_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    // Ctrl-C stops a running command, never the cockpit, whatever is open.
    if key.code == KeyCode::Char('c')
        && key.modifiers.contains(KeyModifiers::CONTROL)
        && super::steps::cancel(app, fx)
    {
        return;
    }
    // Any key while the Alerts pane is on screen counts as having looked at it.
    if app.focus == Pane::Alerts && matches!(app.mode, Mode::Normal) {
        app.alerts.mark_seen();
    }
    match std::mem::take(&mut app.mode) {
        Mode::Normal => {
            if let Some(action) = keys::lookup(&key, app.focus) {
                act(app, action, fx);
            }
        }
        Mode::Filter(Pane::Pods, mut ta) => match key.code {
            KeyCode::Esc => app.pods.filter.clear(),
            KeyCode::Enter => {}
            _ => {
                ta.input(key);
                app.pods.filter = ta.lines().join(" ");
                app.pods.cursor = 0;
                app.mode = Mode::Filter(Pane::Pods, ta);
            }
        },
        Mode::Filter(pane, mut ta) => match key.code {
            KeyCode::Esc => {
                app.alerts.filter.clear();
                app.alerts.refresh();
            }
            KeyCode::Enter => {
                if !app.alerts.filter.is_empty() {
                    app.info(format!(
                        "{} alert(s) match /{}",
                        app.alerts.view.len(),
                        app.alerts.filter
                    ));
                }
            }
            _ => {
                ta.input(key);
                app.alerts.filter = ta.lines().join(" ");
                app.alerts.refresh();
                app.mode = Mode::Filter(pane, ta);
            }
        },
        Mode::Confirm(action) => super::pods::on_confirm_key(app, key, *action, fx),
        mode @ (Mode::IncidentPanel | Mode::Updates) => {
            super::incident::on_panel_key(app, key, mode)
        }
        Mode::ConfirmResolve => super::incident::on_confirm_resolve(app, key, fx),
        Mode::StatusUpdate(d) => super::incident::on_update_key(app, key, d, fx),
        Mode::ActionForm(d) => super::incident::on_action_key(app, key, d, fx),
        Mode::PodDetail => super::pods::on_detail_key(app, key, fx),
        Mode::PickCommand(p) => super::steps::on_pick_key(app, key, *p),
        Mode::ConfirmRun(d) => super::steps::on_confirm_key(app, key, d, fx),
        Mode::Gate(g) => super::steps::on_gate_key(app, key, *g, fx),
        Mode::PickBranch(p) => super::steps::on_branch_key(app, key, p, fx),
        Mode::Output => super::steps::on_output_key(app, key, fx),
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
            KeyCode::Char('y' | 'Y') => {
                super::steps::stop_for_quit(app, fx);
                app.quit = true;
            }
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
                    record(app, EventKind::Note { text, at: None }, fx);
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
        Action::ToggleStep => super::steps::tick(app, fx),
        Action::RunStep => super::steps::ask_run(app, Purpose::Run, fx),
        Action::VerifyStep => super::steps::ask_run(app, Purpose::Verify, fx),
        Action::RollbackStep => super::steps::ask_run(app, Purpose::Rollback, fx),
        Action::FollowBranch => super::steps::follow_branch(app, fx),
        Action::ShowOutput => super::steps::show_output(app),
        Action::Note => {
            if require_incident(app).is_some() {
                let mut ta = TextArea::default();
                ta.set_placeholder_text("What did you see or do? Enter saves, Esc cancels.");
                app.mode = Mode::Note(Box::new(ta));
            }
        }
        Action::CommandLine => app.mode = Mode::Command(Box::new(TextArea::default())),
        Action::Filter => {
            let pane = if app.focus == Pane::Pods {
                Pane::Pods
            } else {
                Pane::Alerts
            };
            app.focus = pane;
            let current = match pane {
                Pane::Pods => app.pods.filter.clone(),
                _ => app.alerts.filter.clone(),
            };
            let mut ta = TextArea::from([current]);
            ta.move_cursor(ratatui_textarea::CursorMove::End);
            app.mode = Mode::Filter(pane, Box::new(ta));
        }
        Action::PodDetails => super::pods::open_details(app, None, fx),
        Action::Ack => run_command(app, Command::Ack, fx),
        Action::Mitigated => run_command(app, Command::Mitigated, fx),
        Action::Resolve => run_command(app, Command::Resolve, fx),
        Action::StatusUpdate => super::incident::open_update(app),
        Action::AddAction => super::incident::open_action_form(app),
        Action::IncidentPanel => {
            if require_incident(app).is_some() {
                app.overlay_scroll = 0;
                app.mode = Mode::IncidentPanel;
            }
        }
        Action::DeletePod => super::pods::ask_delete(app, None),
        Action::RestartWorkload => super::pods::ask_restart(app, None),
        Action::ScaleWorkload => {
            let mut ta = TextArea::from(["scale ".to_string()]);
            ta.move_cursor(ratatui_textarea::CursorMove::End);
            app.mode = Mode::Command(Box::new(ta));
        }
        Action::ToggleSuppressed => {
            app.alerts.hide_suppressed = !app.alerts.hide_suppressed;
            app.alerts.refresh();
            app.info(if app.alerts.hide_suppressed {
                "silenced and inhibited alerts hidden (H shows them)"
            } else {
                "silenced and inhibited alerts shown"
            });
        }
        Action::ToggleGroups => {
            app.alerts.grouped = !app.alerts.grouped;
            app.alerts.refresh();
            app.info(if app.alerts.grouped {
                "alerts grouped by name"
            } else {
                "alerts listed one by one"
            });
        }
        Action::Silence => {
            if silence_target(app).is_some() {
                let mut ta = TextArea::from(["silence 1h".to_string()]);
                ta.move_cursor(ratatui_textarea::CursorMove::End);
                app.mode = Mode::Command(Box::new(ta));
            } else {
                app.error("no alert selected to silence");
            }
        }
        Action::CycleRange => {
            app.metric.range = (app.metric.range + 1) % RANGES.len();
            app.info(format!(
                "chart range {}",
                short_duration(RANGES[app.metric.range])
            ));
        }
    }
}

/// The alert a silence is for: the selected one in the Alerts pane, else the
/// open incident's alert.
fn silence_target(app: &App) -> Option<(String, String, BTreeMap<String, String>)> {
    let from_alert = |a: &Alert| {
        (
            a.name().to_string(),
            a.fingerprint.clone(),
            a.labels.clone(),
        )
    };
    if app.focus == Pane::Alerts || app.incident_state().is_none() {
        return app.alerts.selected().map(from_alert);
    }
    let inc = app.incident_state()?;
    Some(app.shown_alert().map(from_alert).unwrap_or_else(|| {
        (
            inc.alert.name.clone(),
            inc.alert.fingerprint.clone(),
            inc.alert.labels.clone(),
        )
    }))
}

fn request_quit(app: &mut App) {
    if app.incident_open() || app.running() {
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
            app.alerts.cursor = step(app.alerts.cursor, delta, app.alerts.view.len());
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

/// Queues an event for the journal; the UI shows it once it is read back.
pub(super) fn record(app: &mut App, kind: EventKind, fx: &mut Vec<Effect>) {
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
        Command::Runbook(name) => return attach_runbook(app, &name, fx),
        Command::Silence(duration) => return silence(app, duration, fx),
        Command::Unsilence(id) => return unsilence(app, id, fx),
        Command::Range(d) => {
            match RANGES.iter().position(|r| *r == d) {
                Some(i) => app.metric.range = i,
                None => app.error("chart ranges are 15m, 1h and 6h"),
            }
            return;
        }
        Command::Namespace(ns) => {
            app.info(match &ns {
                Some(n) => format!("watching pods in namespace {n}"),
                None => "pod namespace back to automatic".to_string(),
            });
            app.pods.namespace_override = ns;
            app.pods.cursor = 0;
            return;
        }
        Command::Selector(sel) => {
            app.info(match &sel {
                Some(s) => format!("watching pods matching {s}"),
                None => "pod selector back to automatic".to_string(),
            });
            app.pods.selector_override = sel;
            app.pods.cursor = 0;
            return;
        }
        Command::Logs(pod) => return super::pods::open_details(app, pod.as_deref(), fx),
        Command::Delete(pod) => return super::pods::ask_delete(app, pod.as_deref()),
        Command::Restart(pod) => return super::pods::ask_restart(app, pod.as_deref()),
        Command::Scale(n, target) => return super::pods::ask_scale(app, n, target.as_deref()),
        Command::OnCall => {
            let oc = &app.oncall;
            let text = match (&oc.primary, &oc.secondary) {
                (None, None) => {
                    "no on-call names configured (oncall: primary/secondary in the config file)"
                        .to_string()
                }
                (p, s) => format!(
                    "on call: primary {}, secondary {} (paged if not acknowledged within {})",
                    p.as_deref().unwrap_or("not set"),
                    s.as_deref().unwrap_or("not set"),
                    short_duration(oc.escalation())
                ),
            };
            return app.info(text);
        }
        _ => {}
    }
    let Some(inc) = require_incident(app) else {
        return;
    };
    if cmd == Command::Updates {
        app.overlay_scroll = 0;
        app.mode = Mode::Updates;
        return;
    }
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
            None => {
                app.mode = Mode::ConfirmResolve;
                return;
            }
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
        Command::Note(text, None) => EventKind::Note { text, at: None },
        Command::Note(text, Some((h, m))) => match super::incident::backdate(app.now, h, m) {
            Some(at) => EventKind::Note {
                text,
                at: Some(to_millis(at)),
            },
            None => return app.error("that time does not exist today or yesterday"),
        },
        Command::Role(role, name) => EventKind::RoleAssigned { role, name },
        Command::Action {
            text,
            owner,
            due,
            ticket,
        } => {
            match super::incident::add_action(
                app,
                &text,
                owner.as_deref(),
                due.as_deref(),
                ticket.as_deref(),
                fx,
            ) {
                Ok(()) => app.info("action item added"),
                Err(e) => app.error(e),
            }
            return;
        }
        Command::Export(path) => {
            fx.push(Effect::Export {
                id: inc.id.clone(),
                path,
            });
            return;
        }
        Command::Help
        | Command::Quit
        | Command::Runbook(_)
        | Command::Silence(_)
        | Command::Unsilence(_)
        | Command::Range(_)
        | Command::Namespace(_)
        | Command::Selector(_)
        | Command::Logs(_)
        | Command::Delete(_)
        | Command::Restart(_)
        | Command::Scale(..)
        | Command::OnCall
        | Command::Updates => return,
    };
    record(app, kind, fx);
}

/// `:runbook NAME`: switch the open incident's checklist (recorded), or preview
/// the runbook for the selected alert.
fn attach_runbook(app: &mut App, name: &str, fx: &mut Vec<Effect>) {
    let Some(rb) = app.library.get(name) else {
        let known: Vec<&str> = app.library.runbooks.iter().map(|r| r.id.as_str()).collect();
        return app.error(format!(
            "no runbook '{name}' (known: {})",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ));
    };
    let rref = RunbookRef::from_runbook(rb);
    let id = rb.id.clone();
    app.step_cursor = 0;
    app.focus = Pane::Runbook;
    match app.incident_state() {
        Some(inc) if inc.runbook.as_ref().is_some_and(|r| r.id == id) => {
            app.info(format!("runbook {id} is already the checklist"));
        }
        Some(_) => record(app, EventKind::RunbookAttached { runbook: rref }, fx),
        None => {
            let fp = app.alerts.selected().map(|a| a.fingerprint.clone());
            app.runbook_override = Some((fp, id.clone()));
            app.info(format!("previewing runbook {id}"));
        }
    }
}

fn silence(app: &mut App, duration: Duration, fx: &mut Vec<Effect>) {
    let Some((name, fingerprint, labels)) = silence_target(app) else {
        return app.error("no alert selected to silence");
    };
    let comment = match app.incident_state() {
        Some(inc) => format!("warroom incident {} ({})", inc.id, inc.title),
        None => "warroom: silenced before an incident was declared".to_string(),
    };
    app.info(format!(
        "creating a {} silence for {name}…",
        short_duration(duration)
    ));
    fx.push(Effect::Silence(SilenceRequest {
        labels,
        alert: name,
        fingerprint,
        starts_at: app.now,
        duration,
        created_by: app.author.clone(),
        comment,
    }));
}

fn unsilence(app: &mut App, id: Option<String>, fx: &mut Vec<Effect>) {
    let id = id
        .or_else(|| {
            app.incident_state()
                .and_then(|i| i.latest_active_silence(app.now))
                .map(|(id, _)| id.clone())
        })
        .or_else(|| {
            app.alerts
                .selected()
                .and_then(|a| a.silenced_by.first().cloned())
        });
    match id {
        Some(id) => fx.push(Effect::Unsilence(id)),
        None => app.error("no silence to expire: give its id, e.g. :unsilence 3f1c…"),
    }
}

fn on_source(app: &mut App, msg: SourceMsg, fx: &mut Vec<Effect>) {
    match msg {
        SourceMsg::Alerts { source, result } => match result {
            Ok(mut items) => {
                items.sort_by(alert::compare);
                let first = app.alerts.status.last_ok.is_none();
                app.alerts.items = items;
                if first {
                    // What fires at start-up is the baseline, not news.
                    app.alerts.mark_seen();
                }
                app.alerts.refresh();
                app.alerts.status.ok(&source, app.now);
                observe_incident_alerts(app, &source, fx);
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
        SourceMsg::PodEvents { pod, result } => {
            if let Some(d) = app.pods.detail.as_mut().filter(|d| d.pod == pod) {
                d.events = Some(result);
            }
        }
        SourceMsg::PodLog { pod, lines, done } => {
            if let Some(d) = app.pods.detail.as_mut().filter(|d| d.pod == pod) {
                match lines {
                    Ok(lines) => {
                        let added = lines.len();
                        d.log.extend(lines);
                        let excess = d.log.len().saturating_sub(super::state::LOG_LINES_KEPT);
                        d.log.drain(..excess);
                        if d.scroll > 0 {
                            d.scroll += added;
                        }
                    }
                    Err(e) => d.log_error = Some(e),
                }
                d.log_done |= done;
            }
        }
        SourceMsg::Cluster { context, namespace } => app.cluster = Some((context, namespace)),
        SourceMsg::Runbook { path, result } => super::steps::on_runbook_changed(app, path, result),
        SourceMsg::Unavailable { feed, reason } => {
            let status = match feed {
                Feed::Alerts => &mut app.alerts.status,
                Feed::Pods => &mut app.pods.status,
                Feed::Metrics => &mut app.metric.status,
            };
            status.off = Some(reason);
        }
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

/// Whether a live alert is part of the incident: the alert it was declared for,
/// or another instance of the same rule in the same namespace.
fn belongs(inc: &Incident, a: &Alert) -> bool {
    a.fingerprint == inc.alert.fingerprint
        || (a.name() == inc.alert.name
            && inc.alert.labels.get("namespace").map(String::as_str) == a.label("namespace"))
}

/// Records in the journal when the incident's alerts fire, resolve, or are
/// silenced or inhibited, judged against what the journal already says.
fn observe_incident_alerts(app: &mut App, source: &str, fx: &mut Vec<Effect>) {
    let Some(inc) = app.incident_state().filter(|i| i.is_open()) else {
        return;
    };
    let mut changes: Vec<(String, String, AlertState, Vec<String>)> = Vec::new();
    let mut live = std::collections::HashSet::new();
    for a in app.alerts.items.iter().filter(|a| belongs(inc, a)) {
        live.insert(a.fingerprint.clone());
        let known = app
            .reported
            .get(&a.fingerprint)
            .or_else(|| inc.alerts.get(&a.fingerprint));
        if known != Some(&a.state) {
            changes.push((
                a.fingerprint.clone(),
                a.name().to_string(),
                a.state,
                a.silenced_by.clone(),
            ));
        }
    }
    let name = inc.alert.name.clone();
    let mut gone = Vec::new();
    for (fp, state) in &inc.alerts {
        let state = app.reported.get(fp).unwrap_or(state);
        if *state != AlertState::Resolved && !live.contains(fp) {
            gone.push(fp.clone());
        }
    }
    app.absent.retain(|fp, _| gone.contains(fp));
    for fp in gone {
        let n = app.absent.entry(fp.clone()).or_default();
        *n += 1;
        if *n >= 2 {
            changes.push((fp, name.clone(), AlertState::Resolved, Vec::new()));
        }
    }
    for (fingerprint, name, state, silenced_by) in changes {
        app.reported.insert(fingerprint.clone(), state);
        app.absent.remove(&fingerprint);
        fx.push(Effect::Append(Event {
            ts: to_millis(app.now),
            author: source.to_string(),
            kind: EventKind::AlertChanged {
                fingerprint,
                name,
                state,
                silenced_by,
            },
        }));
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

/// Keeps the wanted chart in step with the runbook on screen: its `query`, else
/// the expression of the alert's rule; the chosen range; the pane's width.
fn sync_query(app: &mut App, fx: &mut Vec<Effect>) {
    let labels = app.shown_labels().cloned().unwrap_or_default();
    let rb = app.shown_runbook();
    let from_runbook = rb
        .and_then(|r| r.meta.query.as_deref())
        .map(|q| fill_string(q, &labels));
    let (wanted, origin) = match from_runbook {
        Some(q) => (Some(q), "runbook"),
        None => (app.shown_alert().and_then(Alert::expression), "alert rule"),
    };
    let threshold = rb.and_then(|r| r.meta.threshold);
    let range = RANGES[app.metric.range.min(RANGES.len() - 1)];
    let width = app.metric.width;
    let request = wanted.clone().map(|query| MetricRequest {
        query,
        range,
        width,
    });
    if wanted != app.metric.query {
        app.metric.query = wanted;
        app.metric.origin = origin;
        app.metric.threshold = threshold;
        app.metric.data = None;
        app.metric.error = None;
        app.metric.requested = request.clone();
        fx.push(Effect::Query(request));
    } else if request != app.metric.requested {
        // Same query, new range or width: keep the old chart until the new
        // answer replaces it, so nothing flickers.
        app.metric.requested = request.clone();
        fx.push(Effect::Query(request));
    }
}
