//! Incident command in the reducer: acknowledging and resolving, roles, the
//! status update editor, the action item form, and recording missed deadlines.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use ratatui_textarea::TextArea;

use super::state::{ActionDraft, App, Mode, UpdateDraft};
use super::update::{Effect, record};
use crate::domain::incident::{Audience, Event, EventKind, Incident};
use crate::domain::policy::{ClockKind, ClockState};
use crate::domain::time::{to_millis, utc_clock, utc_datetime};

/// Template of an internal status update.
pub const INTERNAL_TEMPLATE: &str = include_str!("../../assets/status-internal.md");
/// Template of an external (customer) status update.
pub const EXTERNAL_TEMPLATE: &str = include_str!("../../assets/status-external.md");

/// Records each deadline that has passed unmet, once.
pub(super) fn check_deadlines(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(inc) = app.incident_state() else {
        return;
    };
    let missed: Vec<(ClockKind, Timestamp)> = app
        .clocks()
        .into_iter()
        .filter(|c| c.state == ClockState::Missed)
        .map(|c| (c.kind, to_millis(c.due)))
        .filter(|k| !inc.missed.contains(k) && !app.missed_reported.contains(k))
        .collect();
    for (clock, due) in missed {
        app.missed_reported.insert((clock, due));
        fx.push(Effect::Append(Event {
            ts: to_millis(app.now),
            author: "warroom".into(),
            kind: EventKind::DeadlineMissed { clock, due },
        }));
    }
}

/// What an update reports as done since the previous one.
fn since_last(events: &[Event], inc: &Incident) -> String {
    let from = inc.updates.last().map_or(inc.declared.at, |u| u.mark.at);
    let lines: Vec<String> = events
        .iter()
        .filter(|e| e.ts > from)
        .filter(|e| {
            !matches!(
                e.kind,
                EventKind::StatusUpdate { .. } | EventKind::DeadlineMissed { .. }
            )
        })
        .map(|e| format!("- {} {}", utc_clock(e.ts), e.kind.describe()))
        .collect();
    if lines.is_empty() {
        "- (nothing recorded yet)".into()
    } else {
        lines.join("\n")
    }
}

/// The prefilled text of a status update.
pub fn draft_text(app: &App, audience: Audience) -> String {
    let (Some(inc), Some(open)) = (app.incident_state(), app.incident.as_ref()) else {
        return String::new();
    };
    let cadence = app.matrix.target(inc.severity).update_every;
    let next = cadence
        .and_then(|c| jiff::SignedDuration::try_from(c).ok())
        .and_then(|c| app.now.checked_add(c).ok())
        .map_or("when there is news".to_string(), |t| {
            t.strftime("%H:%M").to_string()
        });
    let impact = if inc.alert.summary.is_empty() {
        inc.title.clone()
    } else {
        inc.alert.summary.clone()
    };
    let (status_word, customer_state) = match inc.status {
        crate::domain::incident::Status::Investigating => {
            ("Investigating", "We are investigating the cause.")
        }
        crate::domain::incident::Status::Mitigated => (
            "Monitoring",
            "A fix is in place and we are watching that it holds.",
        ),
        crate::domain::incident::Status::Resolved => ("Resolved", "The issue is resolved."),
    };
    let template = match audience {
        Audience::Internal => INTERNAL_TEMPLATE,
        Audience::External => EXTERNAL_TEMPLATE,
    };
    let service = inc
        .alert
        .labels
        .get("service")
        .cloned()
        .unwrap_or_else(|| "one of our services".into());
    let values = [
        ("severity", inc.severity.to_string()),
        ("title", inc.title.clone()),
        ("id", inc.id.clone()),
        ("status", inc.status.to_string()),
        ("status_word", status_word.to_string()),
        ("customer_state", customer_state.to_string()),
        ("declared", utc_datetime(inc.declared.at)),
        (
            "ic",
            inc.roles
                .get(&crate::domain::incident::Role::Ic)
                .map_or("not assigned".to_string(), |r| r.0.clone()),
        ),
        ("impact", impact),
        ("service", service),
        ("actions", since_last(&open.events, inc)),
        ("next_update", next),
    ];
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{{{k}}}}}"), &crate::sanitize::multiline(&v));
    }
    out.trim_end().to_string()
}

fn editor(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    TextArea::new(lines)
}

/// `u`: opens the status update editor with the internal template.
pub(super) fn open_update(app: &mut App) {
    if app.incident_state().is_none() {
        return app.error("no incident open: select an alert and press Enter to declare one");
    }
    let text = draft_text(app, Audience::Internal);
    app.mode = Mode::StatusUpdate(Box::new(UpdateDraft {
        editor: editor(&text),
        audience: Audience::Internal,
        original: text,
        confirm_discard: false,
    }));
}

/// Keys in the status update editor.
pub(super) fn on_update_key(
    app: &mut App,
    key: KeyEvent,
    mut d: Box<UpdateDraft>,
    fx: &mut Vec<Effect>,
) {
    let text = d.editor.lines().join("\n");
    let changed = text.trim() != d.original.trim();
    if d.confirm_discard {
        match key.code {
            KeyCode::Char('y' | 'Y') => app.info("status update discarded"),
            _ => {
                d.confirm_discard = false;
                app.mode = Mode::StatusUpdate(d);
            }
        }
        return;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('s') if ctrl => {
            if text.trim().is_empty() {
                app.error("an empty status update was not saved");
                app.mode = Mode::StatusUpdate(d);
                return;
            }
            let audience = d.audience;
            record(
                app,
                EventKind::StatusUpdate {
                    audience,
                    text: text.trim_end().to_string(),
                },
                fx,
            );
            app.info(format!(
                "{} status update saved; the update clock restarts",
                audience.as_str()
            ));
        }
        KeyCode::Esc if changed => {
            d.confirm_discard = true;
            app.mode = Mode::StatusUpdate(d);
        }
        KeyCode::Esc => app.info("status update cancelled"),
        KeyCode::Tab if !changed => {
            let audience = match d.audience {
                Audience::Internal => Audience::External,
                Audience::External => Audience::Internal,
            };
            let text = draft_text(app, audience);
            app.mode = Mode::StatusUpdate(Box::new(UpdateDraft {
                editor: editor(&text),
                audience,
                original: text,
                confirm_discard: false,
            }));
        }
        _ => {
            d.editor.input(key);
            app.mode = Mode::StatusUpdate(d);
        }
    }
}

/// `A`: opens the action item form.
pub(super) fn open_action_form(app: &mut App) {
    if app.incident_state().is_none() {
        return app.error("no incident open: select an alert and press Enter to declare one");
    }
    app.mode = Mode::ActionForm(Box::default());
}

/// Validates and records an action item.
pub(super) fn add_action(
    app: &mut App,
    text: &str,
    owner: Option<&str>,
    due: Option<&str>,
    ticket: Option<&str>,
    fx: &mut Vec<Effect>,
) -> Result<(), String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("an action item needs a description".into());
    }
    let due = match due.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(
            d.parse::<jiff::civil::Date>()
                .map_err(|_| format!("due date '{d}' is not YYYY-MM-DD"))?,
        ),
        None => None,
    };
    let clean = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    record(
        app,
        EventKind::ActionItem {
            text: text.to_string(),
            owner: clean(owner),
            due,
            ticket: clean(ticket),
        },
        fx,
    );
    Ok(())
}

/// Keys in the action item form.
pub(super) fn on_action_key(
    app: &mut App,
    key: KeyEvent,
    mut d: Box<ActionDraft>,
    fx: &mut Vec<Effect>,
) {
    match key.code {
        KeyCode::Esc => app.info("action item discarded"),
        KeyCode::Tab | KeyCode::Down => {
            d.focus = (d.focus + 1) % d.fields.len();
            app.mode = Mode::ActionForm(d);
        }
        KeyCode::BackTab | KeyCode::Up => {
            d.focus = (d.focus + d.fields.len() - 1) % d.fields.len();
            app.mode = Mode::ActionForm(d);
        }
        KeyCode::Enter => {
            let v: Vec<String> = d.fields.iter().map(|f| f.lines().join(" ")).collect();
            match add_action(app, &v[0], Some(&v[1]), Some(&v[2]), Some(&v[3]), fx) {
                Ok(()) => app.info("action item added"),
                Err(e) => {
                    d.error = Some(e);
                    app.mode = Mode::ActionForm(d);
                }
            }
        }
        _ => {
            let f = d.focus;
            d.fields[f].input(key);
            app.mode = Mode::ActionForm(d);
        }
    }
}

/// Keys in the Incident panel and the updates list.
pub(super) fn on_panel_key(app: &mut App, key: KeyEvent, mode: Mode) {
    match key.code {
        KeyCode::Esc | KeyCode::Char('q' | 'i') | KeyCode::Enter => {}
        KeyCode::Char('j') | KeyCode::Down => {
            app.overlay_scroll += 1;
            app.mode = mode;
        }
        KeyCode::Char('k') | KeyCode::Up => {
            app.overlay_scroll = app.overlay_scroll.saturating_sub(1);
            app.mode = mode;
        }
        _ => app.mode = mode,
    }
}

/// `y` resolves; anything else keeps the incident open.
pub(super) fn on_confirm_resolve(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    match key.code {
        KeyCode::Char('y' | 'Y') => record(app, EventKind::Resolved, fx),
        _ => app.info("not resolved"),
    }
}

/// A `:note @HH:MM` time as the most recent such UTC instant not in the future.
pub fn backdate(now: Timestamp, hour: i8, minute: i8) -> Option<Timestamp> {
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let t = today
        .at(hour, minute, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp();
    if t <= now {
        Some(t)
    } else {
        today
            .yesterday()
            .ok()?
            .at(hour, minute, 0, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp())
    }
}
