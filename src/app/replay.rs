//! `warroom replay`: an incident played back from its journal in a cockpit
//! that only reads. The playback clock drives what is on screen: the events
//! that have happened by then (the timeline, the checklist, the incident's
//! state), the alerts as they fired and resolved, the latest command and
//! its output, and the main metric (or the latest pinned chart) up to then.
//! Space pauses, `+`/`-` change the speed, `]`/`[` jump between events;
//! keys that only look around work as in the cockpit, and every key that
//! would write or run is refused.

use std::collections::BTreeMap;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use jiff::Timestamp;

use super::keys::{self, Action, ModalKind};
use super::modal::Mode;
use super::msg::{Fx, Msg};
use super::state::replay::{READ_ONLY, ReplayState};
use super::state::{App, OpenIncident, Pane, RANGES, RunView};
use crate::domain::alert::{Alert, AlertState};
use crate::domain::incident::evidence::{Pinned, PinnedChart};
use crate::domain::incident::{EventKind, Incident, StepAt};
use crate::domain::metric::{MetricData, Series};

/// Where the Pods pane says why it is empty during a replay.
const NO_PODS: &str =
    "replay: the journal keeps no pod list (pods pinned with P are in the timeline)";

/// Starts the playback at wall-clock time `real`: nothing can be changed
/// from here on.
pub fn start(app: &mut App, replay: ReplayState, real: Timestamp) {
    app.settings.read_only = true;
    app.pods.status.off = Some(NO_PODS.into());
    app.focus = Pane::Alerts;
    let id = replay.id.clone();
    app.replay = Some(replay);
    tick(app, real);
    say(
        app,
        format!(
            "replaying {id}: Space pauses, + and - change the speed, ] and [ jump between events"
        ),
    );
}

/// A message to a replay: the clock, the keys and what the loop measured
/// are taken here; nothing else reaches it. Returns a key that only looks
/// around, or a paste into the `/` filter, for the cockpit's own handling.
pub fn intercept(app: &mut App, mode: &mut Mode, msg: Msg, fx: &mut Fx) -> Option<Msg> {
    match msg {
        Msg::Tick(real) => tick(app, real),
        Msg::Key(key) => return on_key(app, mode, key).map(Msg::Key),
        Msg::Paste(text) if matches!(mode, Mode::Filter(_)) => return Some(Msg::Paste(text)),
        Msg::Paste(_) => app.error(READ_ONLY),
        Msg::Mouse { act, at } => super::mouse::on_mouse(app, mode, act, at, fx),
        Msg::ChartWidth(w) => app.metric.width = w,
        Msg::RunbookLayout(l) => app.runbook.layout = l,
        Msg::OverlayMax(m) => app.overlay_max = m,
        _ => {}
    }
    None
}

/// Keys that only look around: they work in a replay as in the cockpit.
fn looks(action: Action) -> bool {
    matches!(
        action,
        Action::Help
            | Action::FocusNext
            | Action::FocusPrev
            | Action::Focus(_)
            | Action::Nav(_)
            | Action::ShowOutput
            | Action::Zoom
            | Action::ScrollLeft
            | Action::ScrollRight
            | Action::TimelineEntry
            | Action::ToggleWrap
            | Action::CopyEntry
            | Action::CopyCommand
            | Action::PrevRunbook
            | Action::NextRunbook
            | Action::FoldDetails
            | Action::Filter
            | Action::ToggleSuppressed
            | Action::ToggleGroups
            | Action::ClearFilter
            | Action::IncidentPanel
    )
}

/// The dialogs a looking key opens, and the keys inside them that read.
fn looks_inside(kind: ModalKind, action: Option<Action>) -> bool {
    let reading = matches!(
        kind,
        ModalKind::Help
            | ModalKind::Filter
            | ModalKind::IncidentPanel
            | ModalKind::TimelineEntry
            | ModalKind::Output
    );
    reading
        && match action {
            // Typing a filter.
            None | Some(Action::Line(_)) => kind == ModalKind::Filter,
            Some(a) => matches!(a, Action::Cancel | Action::Submit | Action::Help) || looks(a),
        }
}

/// A key: the replay's own, or one that only looks around (returned), or
/// refused.
fn on_key(app: &mut App, mode: &mut Mode, key: KeyEvent) -> Option<KeyEvent> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let real = app.replay.as_ref().map(|r| r.real)?;
    if let Some(kind) = mode.kind() {
        let action = keys::lookup_modal(&key, kind);
        if looks_inside(kind, action) {
            return Some(key);
        }
        app.error(READ_ONLY);
        return None;
    }
    // Nothing runs in a replay for Ctrl-C to stop: it leaves, as q does.
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        app.quit = true;
        return None;
    }
    let plain = key.modifiers - KeyModifiers::SHIFT == KeyModifiers::NONE;
    if plain {
        let r = app.replay.as_mut()?;
        let said = match key.code {
            KeyCode::Char(' ') => {
                if r.paused && r.at_end(real) {
                    Some("at the end of the journal: [ steps back".to_string())
                } else {
                    r.toggle_pause(real);
                    Some(if r.paused { "paused" } else { "playing" }.to_string())
                }
            }
            KeyCode::Char('+' | '=') => {
                r.change_speed(true, real);
                Some(format!("{}× real time", r.speed))
            }
            KeyCode::Char('-') => {
                r.change_speed(false, real);
                Some(format!("{}× real time", r.speed))
            }
            KeyCode::Char(']') => Some(if r.next(real) {
                String::new()
            } else {
                "no later event: this is the end of the journal".to_string()
            }),
            KeyCode::Char('[') => Some(if r.previous(real) {
                String::new()
            } else {
                "no earlier event: this is the start".to_string()
            }),
            KeyCode::Char('q') => {
                app.quit = true;
                return None;
            }
            _ => None,
        };
        if let Some(said) = said {
            tick(app, real);
            if !said.is_empty() {
                say(app, said);
            }
            return None;
        }
    }
    match keys::always(&key).or_else(|| keys::lookup(&key, app.focus)) {
        Some(Action::Quit) => app.quit = true,
        Some(a) if looks(a) => return Some(key),
        Some(_) => app.error(READ_ONLY),
        None => {}
    }
    None
}

/// The wall clock moved (or a key re-anchored the playback): show what has
/// happened by the playback time.
fn tick(app: &mut App, real: Timestamp) {
    let Some(r) = app.replay.as_mut() else {
        return;
    };
    r.real = real;
    let ended = !r.paused && r.at_end(real);
    if ended {
        r.stop(real);
    }
    let now = r.clock(real);
    let due = r.due(now);
    app.now = now;
    // Messages fade by the wall clock: kept young for the drawing (which
    // reads the playback clock) for eight seconds, then taken off.
    if let Some(f) = app.flash.as_mut().filter(|f| !f.error) {
        match &r.message {
            Some((text, since)) if *text == f.text => {
                if real.duration_since(*since).as_secs() >= 8 {
                    app.flash = None;
                } else {
                    f.at = now;
                }
            }
            _ => {
                r.message = Some((f.text.clone(), real));
                f.at = now;
            }
        }
    }
    show(app, due);
    alerts(app, now);
    metric(app, now);
    if ended {
        say(app, "end of the journal: [ steps back, q leaves");
    }
}

/// A message of the replay's own, aged from now even when it says the
/// same words as the one before.
fn say(app: &mut App, text: impl Into<String>) {
    app.info(text);
    if let Some(r) = app.replay.as_mut() {
        r.message = None;
    }
}

/// The incident as its first `due` events make it.
fn show(app: &mut App, due: usize) {
    let Some(r) = app.replay.as_mut() else {
        return;
    };
    let shown = std::mem::replace(&mut r.shown, due);
    let (id, events) = (r.id.clone(), &r.events);
    let before = app.incident.is_some();
    if due < shown || app.incident.is_none() {
        app.incident = (due > 0).then(|| {
            let mut open = OpenIncident::new(id);
            open.read_only = true;
            open.take_in(events[..due].to_vec());
            if open.state.is_none() {
                open.state = Incident::fold(&open.events).ok();
            }
            open
        });
        app.timeline_scroll = 0;
    } else if due > shown
        && let Some(open) = app.incident.as_mut()
    {
        open.take_in(events[shown..due].to_vec());
    }
    // The checklist comes forward when the incident is declared, as in the
    // cockpit.
    if !before && app.incident_state().is_some() && app.focus == Pane::Alerts {
        app.focus = Pane::Runbook;
    }
    runs(app, due);
}

/// The latest command shown, running or ended, with its recorded output.
fn runs(app: &mut App, due: usize) {
    let Some(r) = app.replay.as_ref() else {
        return;
    };
    let latest = r.events[..due].iter().rev().find_map(|e| match &e.kind {
        EventKind::CommandStarted {
            original,
            step,
            command,
            purpose,
            runbook,
            key,
        } => Some((e, original, step, command, *purpose, runbook, key, None)),
        EventKind::CommandFinished {
            original,
            step,
            command,
            purpose,
            outcome,
            duration_ms,
            output,
            omitted,
            runbook,
            key,
        } => Some((
            e,
            original,
            step,
            command,
            *purpose,
            runbook,
            key,
            Some((outcome.clone(), *duration_ms, output, *omitted)),
        )),
        _ => None,
    });
    let attached = app
        .incident_state()
        .and_then(|i| i.runbook.as_ref().map(|r| r.id.clone()))
        .unwrap_or_default();
    app.runs.latest = latest.map(
        |(e, original, step, command, purpose, runbook, key, ended)| {
            let took = ended.as_ref().map_or(0, |x| x.1);
            RunView {
                id: 0,
                step: step.clone(),
                at: StepAt {
                    runbook: runbook.clone().unwrap_or(attached),
                    key: key.clone().unwrap_or_else(|| format!("id:{step}")),
                },
                original: original.clone(),
                purpose,
                command: command.clone(),
                started: e.effective() - jiff::SignedDuration::from_millis(took as i64),
                lines: ended
                    .as_ref()
                    .map(|x| x.2.lines().map(str::to_string).collect())
                    .unwrap_or_default(),
                dropped: ended.as_ref().map_or(0, |x| x.3),
                outcome: ended.map(|x| (x.0, Duration::from_millis(x.1))),
                scroll: 0,
            }
        },
    );
}

/// The alerts as the journal says they were at `now`: the incident's alert
/// from when it started firing, and every change recorded since.
fn alerts(app: &mut App, now: Timestamp) {
    let Some(r) = app.replay.as_ref() else {
        return;
    };
    let mut known: BTreeMap<String, Alert> = BTreeMap::new();
    if let Some(EventKind::Declared { alert, .. }) = r.events.first().map(|e| &e.kind)
        && !alert.is_manual()
        && alert.starts_at <= now
    {
        let mut a = Alert {
            fingerprint: alert.fingerprint.clone(),
            labels: alert.labels.clone(),
            starts_at: alert.starts_at,
            ..Alert::default()
        };
        a.labels
            .entry("alertname".into())
            .or_insert_with(|| alert.name.clone());
        a.annotations
            .insert("summary".into(), alert.summary.clone());
        known.insert(alert.fingerprint.clone(), a);
    }
    for e in &r.events[..r.shown] {
        let EventKind::AlertChanged {
            fingerprint,
            name,
            state,
            silenced_by,
        } = &e.kind
        else {
            continue;
        };
        let a = known.entry(fingerprint.clone()).or_insert_with(|| Alert {
            fingerprint: fingerprint.clone(),
            labels: [("alertname".to_string(), name.clone())].into(),
            starts_at: e.effective(),
            ..Alert::default()
        });
        a.state = *state;
        a.silenced_by = silenced_by.clone();
    }
    let firing: Vec<Alert> = known
        .into_values()
        .filter(|a| a.state != AlertState::Resolved)
        .collect();
    app.alerts.set_items(firing);
    app.alerts.status.ok("journal", now);
}

/// The chart at `now`: the main metric recorded over the incident, up to
/// now; else the latest chart pinned by now, as it was pinned.
fn metric(app: &mut App, now: Timestamp) {
    let Some(r) = app.replay.as_ref() else {
        return;
    };
    let recorded = r.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::MetricWindow { chart } => Some((chart, "recorded")),
        _ => None,
    });
    let pinned = || {
        r.events[..r.shown]
            .iter()
            .rev()
            .find_map(|e| match &e.kind {
                EventKind::Evidence {
                    pinned: Pinned::Chart(c),
                    ..
                } => Some((c, "pinned")),
                _ => None,
            })
    };
    let Some((chart, origin)) = recorded.or_else(pinned) else {
        app.metric.query = None;
        app.metric.data = None;
        return;
    };
    let upto = now.as_second();
    let m = &mut app.metric;
    m.origin = origin;
    m.query = Some(chart.query.clone());
    m.threshold = chart.threshold;
    m.unit = chart.unit.parse().unwrap_or_default();
    m.range = RANGES
        .iter()
        .position(|r| r.as_secs() >= span(chart))
        .unwrap_or(RANGES.len() - 1);
    let series: Vec<Series> = chart
        .series
        .iter()
        .map(|s| Series {
            name: s.name.clone(),
            points: s
                .points
                .iter()
                .filter(|p| p.0 <= upto)
                .map(|p| (p.0 as f64, p.1))
                .collect(),
        })
        .filter(|s| !s.points.is_empty())
        .collect();
    m.data = (!series.is_empty()).then(|| MetricData {
        query: chart.query.clone(),
        series,
    });
    m.status.ok("journal", now);
}

/// How long a chart's points span, in seconds.
fn span(c: &PinnedChart) -> u64 {
    let times = c.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (lo, hi) = (times.clone().min().unwrap_or(0), times.max().unwrap_or(0));
    (hi - lo).max(0) as u64
}

/// Events of the journal in play order, for tests and the status line.
pub fn position(app: &App) -> Option<(usize, usize)> {
    app.replay.as_ref().map(|r| (r.shown, r.events.len()))
}
