//! The open incident in the reducer: opening (declared or joined) and
//! following its journal, incident command (acknowledge, mitigate, resolve,
//! roles), status update drafts, action items, and recording missed deadlines.

use jiff::Timestamp;

use super::msg::{Effect, Fx, observe, record};
use super::next::{Next, Open};
use super::state::{App, OpenIncident, Pane, PendingDeclaration};
use crate::domain::incident::{AlertRef, Audience, Event, EventKind, Incident, RunbookRef};
use crate::domain::policy::ClockState;
use crate::domain::severity::Sev;
use crate::domain::time::{to_millis, utc_clock, utc_datetime};
use crate::journal::{Declared, JournalMsg, Opened};

/// Template of an internal status update.
pub const INTERNAL_TEMPLATE: &str = include_str!("../../assets/status-internal.md");
/// Template of an external (customer) status update.
pub const EXTERNAL_TEMPLATE: &str = include_str!("../../assets/status-external.md");

/// The open incident, or an error saying how to open one.
pub fn require(app: &mut App) -> Option<Incident> {
    let inc = app.incident_state().cloned();
    if inc.is_none() {
        let enter = super::keys::pane_key(Pane::Alerts, super::keys::Action::Open);
        app.error(format!(
            "no incident open: select an alert and press {enter} to declare one"
        ));
    }
    inc
}

/// Enter on an alert: declare an incident for it, or go back to the one open.
pub fn declare_selected(app: &mut App, fx: &mut Fx) {
    let Some(alert) = app.alerts.selected().cloned() else {
        return app.error("no alert selected");
    };
    // An alert the open drill or game-day claims is its doing, recorded in
    // its timeline: never a second, real incident.
    if let Some(inc) = app.incident_state().filter(|i| i.is_open())
        && let Some(x) = inc.exercise.as_ref().filter(|x| {
            x.plan
                .claims_alert(alert.name(), alert.starts_at, inc.declared.at)
        })
    {
        let msg = format!(
            "{} is the {}'s own alert: recorded in {}'s timeline, not a real incident",
            alert.name(),
            x.plan.kind(),
            inc.id
        );
        return app.info(msg);
    }
    if let Some(inc) = app.incident_state()
        && inc.alert.fingerprint == alert.fingerprint
        && inc.is_open()
    {
        app.focus = Pane::Runbook;
        app.runbook.select(0);
        return;
    }
    let runbook = app
        .runbooks
        .library
        .for_alert(&alert)
        .map(|rb| RunbookRef::from_runbook(rb, &alert.labels));
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
    let severity = app.settings.severity.map(alert.severity_label());
    let what = format!("{severity} {}", crate::sanitize::line(&title));
    let event = Event::new(
        to_millis(app.now),
        app.settings.author.clone(),
        EventKind::Declared {
            id: String::new(),
            title,
            severity,
            alert: AlertRef::from_alert(&alert),
            runbook,
            exercise: None,
        },
    );
    // Enter again on the same alert: at once.
    if let Some(p) = app.watch.declaring.take()
        && let EventKind::Declared { alert: a, .. } = &p.event.kind
        && a.fingerprint == alert.fingerprint
    {
        fx.push(Effect::Declare(p.event));
        return;
    }
    if app.settings.declare_after.is_zero() {
        fx.push(Effect::Declare(event));
        return;
    }
    app.info(format!("declaring {what} — Enter: now · Esc: cancel"));
    app.watch.declaring = Some(PendingDeclaration {
        event,
        due: app.now + app.settings.declare_after,
        what,
    });
}

/// `:declare TITLE [SEV]`: opens an incident with no alert, for what no
/// alert caught (or when no alert source is configured). Typed on purpose,
/// so it is written at once, with no moment to cancel.
pub fn declare_by_hand(app: &mut App, title: &str, sev: Option<Sev>, fx: &mut Fx) {
    let title = title.trim().to_string();
    let severity = sev.unwrap_or_else(|| app.settings.severity.map(None));
    let at = to_millis(app.now);
    let event = Event::new(
        at,
        app.settings.author.clone(),
        EventKind::Declared {
            id: String::new(),
            alert: AlertRef::manual(&title, at),
            title,
            severity,
            runbook: None,
            exercise: None,
        },
    );
    app.info(format!(
        "declaring {severity} incident by hand… (:runbook NAME attaches a checklist)"
    ));
    fx.push(Effect::Declare(event));
}

/// Declares (or joins) for the selected alert at once, without the moment
/// on the status line: `warroom open` was asked to.
pub fn declare_selected_now(app: &mut App, fx: &mut Fx) {
    let wait = std::mem::replace(&mut app.settings.declare_after, jiff::SignedDuration::ZERO);
    declare_selected(app, fx);
    app.settings.declare_after = wait;
}

/// Writes a shown declaration once its moment has passed.
pub fn check_declaring(app: &mut App, fx: &mut Fx) {
    if app
        .watch
        .declaring
        .as_ref()
        .is_some_and(|p| app.now >= p.due)
        && let Some(p) = app.watch.declaring.take()
    {
        fx.push(Effect::Declare(p.event));
    }
}

/// Esc while a declaration is shown: it is not written.
pub fn cancel_declaring(app: &mut App) -> bool {
    match app.watch.declaring.take() {
        Some(p) => {
            app.info(format!("not declared: {}", p.what));
            true
        }
        None => false,
    }
}

/// The journal was opened: show the incident and follow it from there.
pub fn on_opened(app: &mut App, opened: Opened, fx: &mut Fx) {
    let id = opened.declared.id().to_string();
    match &opened.declared {
        Declared::New(_) => app.info(format!("declared incident {id}")),
        Declared::Joined(_) => app.info(format!("joined open incident {id}")),
    }
    app.incident = Some(OpenIncident::new(id.clone()));
    app.timeline_scroll = 0;
    app.runbook.select(0);
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
    // The Alerts pane shows the incident's alert, so S and the details are
    // about it.
    if let Some(fp) = app.incident_state().map(|i| i.alert.fingerprint.clone()) {
        app.alerts.select(&fp);
    }
    // A resolved incident opened by id is shown, not worked.
    if let Some(at) = app
        .incident_state()
        .and_then(|i| i.resolved.as_ref())
        .map(|m| m.at)
    {
        if let Some(open) = app.incident.as_mut() {
            open.read_only = true;
        }
        app.info(format!(
            "incident {id} was resolved at {} UTC: shown read-only; :reopen works it again",
            utc_datetime(at)
        ));
    }
    fx.push(Effect::Follow {
        id,
        from: opened.position,
    });
}

/// Refuses work that would be recorded while the journal is deleted, or
/// while a resolved incident is only being read.
pub fn journal_gone(app: &App) -> Result<(), String> {
    app.writable()
}

/// What the followed journal reported: new events (anyone's), the whole
/// journal read again, its deletion, a skipped line, or an append that
/// failed.
pub fn on_journal(app: &mut App, msg: JournalMsg) {
    match msg {
        JournalMsg::Events { id, events } => {
            let Some(open) = app.incident.as_mut().filter(|i| i.id == id) else {
                return;
            };
            let mine = events
                .iter()
                .filter(|e| e.author == app.settings.author)
                .count();
            let added = open.take_in(events);
            if open.state.is_none() {
                match Incident::fold(&open.events) {
                    Ok(s) => open.state = Some(s),
                    Err(e) => {
                        let msg = format!("incident {id}: {e}");
                        app.error(msg);
                    }
                }
            }
            app.watch.pending = app.watch.pending.saturating_sub(mine);
            if app.timeline_scroll > 0 {
                app.timeline_scroll += added;
            }
        }
        JournalMsg::Reloaded { id, events, why } => {
            let Some(open) = app.incident.as_mut().filter(|i| i.id == id) else {
                return;
            };
            open.events.clear();
            open.seen.clear();
            open.gone = false;
            let n = open.take_in(events);
            open.state = None;
            match Incident::fold(&open.events) {
                Ok(s) => open.state = Some(s),
                Err(e) => {
                    app.error(format!("incident {id}: {e}"));
                    return;
                }
            }
            app.watch.pending = 0;
            app.timeline_scroll = 0;
            app.info(format!(
                "journal {why} on disk: reloaded whole ({n} event{})",
                if n == 1 { "" } else { "s" }
            ));
        }
        JournalMsg::Deleted { id } => {
            let Some(open) = app.incident.as_mut().filter(|i| i.id == id) else {
                return;
            };
            open.gone = true;
            app.error("journal deleted — NOT SAVING; :recreate writes it again from this cockpit");
        }
        JournalMsg::Warning(w) => app.error(w),
        JournalMsg::AppendFailed { error, .. } => {
            app.watch.pending = app.watch.pending.saturating_sub(1);
            app.error(format!("NOT SAVED: {error}"));
        }
    }
}

/// Records each deadline that has passed unmet, once.
pub fn check_deadlines(app: &mut App, fx: &mut Fx) {
    let Some(inc) = app.incident_state() else {
        return;
    };
    let missed: Vec<_> = app
        .clocks()
        .into_iter()
        .filter(|c| c.state == ClockState::Missed)
        .map(|c| (c.kind, to_millis(c.due)))
        .filter(|k| !inc.missed.contains(k) && !app.watch.missed_reported.contains(k))
        .collect();
    for (clock, due) in missed {
        app.watch.missed_reported.insert((clock, due));
        let fact = format!("deadline-missed/{}/{due}", clock.as_str());
        observe(
            app,
            "warroom",
            EventKind::DeadlineMissed { clock, due },
            &fact,
            fx,
        );
    }
}

/// `a`, `m`, `R` and their commands: the incident's life cycle. Resolving
/// asks first.
pub fn change_status(app: &mut App, to: Status, fx: &mut Fx) -> Next {
    let Some(inc) = require(app) else {
        return Next::Stay;
    };
    if to != Status::Reopened
        && let Err(e) = journal_gone(app)
    {
        app.error(e);
        return Next::Stay;
    }
    let already = |what: &str, m: &Option<crate::domain::incident::Mark>| {
        m.as_ref()
            .map(|m| format!("already {what} at {} UTC by {}", utc_clock(m.at), m.by))
    };
    let kind = match to {
        Status::Acknowledged => match already("acknowledged", &inc.acknowledged) {
            Some(msg) => return info(app, msg),
            None => EventKind::Acknowledged,
        },
        Status::Mitigated => match already("mitigated", &inc.mitigated) {
            Some(msg) => return info(app, msg),
            None => return Open::ConfirmMitigate.into(),
        },
        Status::Resolved => match already("resolved", &inc.resolved) {
            Some(msg) => return info(app, msg),
            None => match super::exercise::may_resolve(&inc) {
                Ok(()) => return Open::ConfirmResolve.into(),
                Err(e) => {
                    app.error(e);
                    return Next::Stay;
                }
            },
        },
        Status::Reopened if inc.is_open() => return info(app, "the incident is open already"),
        Status::Reopened => {
            if let Some(open) = app.incident.as_mut() {
                open.read_only = false;
            }
            EventKind::Reopened
        }
    };
    record(app, kind, fx);
    Next::Stay
}

fn info(app: &mut App, msg: impl Into<String>) -> Next {
    app.info(msg);
    Next::Stay
}

/// Where the incident is asked to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Someone owns it.
    Acknowledged,
    /// The impact has stopped.
    Mitigated,
    /// It is over (asks first).
    Resolved,
    /// Back to work on a resolved one.
    Reopened,
}

/// `y` in the resolve confirmation.
pub fn resolve(app: &mut App, fx: &mut Fx) {
    super::exercise::score_before_resolving(app, fx);
    record(app, EventKind::Resolved, fx);
}

/// Confirmed: the impact has stopped.
pub fn mitigate(app: &mut App, fx: &mut Fx) {
    record(app, EventKind::Mitigated, fx);
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
        .map(|e| format!("- {} {}", utc_clock(e.ts), e.describe()))
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
    let cadence = app.settings.matrix.target(inc.severity).update_every;
    let next = cadence
        .and_then(|c| jiff::SignedDuration::try_from(c).ok())
        .and_then(|c| app.now.checked_add(c).ok())
        .map_or("when there is news".to_string(), |t| {
            format!("by {} UTC", t.strftime("%H:%M"))
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
    // A draft is about to be sent to other people: what was typed into
    // notes goes through the same redaction as an export.
    let values: Vec<(&str, String)> = values
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                crate::domain::redact::redact(&crate::sanitize::multiline(&v)),
            )
        })
        .collect();
    crate::domain::template::fill(template, &values)
        .text
        .trim_end()
        .to_string()
}

/// Records a status update; empty ones are refused.
pub fn save_update(
    app: &mut App,
    audience: Audience,
    text: &str,
    fx: &mut Fx,
) -> Result<(), String> {
    journal_gone(app)?;
    if text.trim().is_empty() {
        return Err("an empty status update was not saved".into());
    }
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
    Ok(())
}

/// Validates and records an action item.
pub fn add_action(
    app: &mut App,
    text: &str,
    owner: Option<&str>,
    due: Option<&str>,
    ticket: Option<&str>,
    fx: &mut Fx,
) -> Result<(), String> {
    journal_gone(app)?;
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

/// `q`: quit, asking first while an incident is open or a command runs.
pub fn request_quit(app: &mut App) -> Next {
    if app.incident_open() || app.running() {
        Open::ConfirmQuit.into()
    } else {
        app.quit = true;
        Next::Stay
    }
}
