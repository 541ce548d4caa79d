//! The Alerts pane's part of the reducer: taking in alert lists, recording
//! the incident's alerts changing state, and silences.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use super::msg::{Effect, Fx, SilenceDone, SilenceRequest, observe, record};
use super::state::{App, Pane};
use crate::domain::alert::{Alert, AlertState};
use crate::domain::incident::{EventKind, Incident};
use crate::domain::time::{short_duration, to_millis, utc_clock};

/// A fresh list of alerts from `source`, or why it could not be had.
pub fn on_alerts(app: &mut App, source: &str, result: Result<Vec<Alert>, String>, fx: &mut Fx) {
    match result {
        Ok(items) => {
            app.alerts.set_items(items);
            app.alerts.status.ok(source, app.now);
            observe_incident_alerts(app, source, fx);
            super::open::on_alerts(app, fx);
        }
        Err(e) => app.alerts.status.failed(source, e),
    }
}

/// Whether a live alert is part of the incident: the alert it was declared for,
/// or another instance of the same rule in the same namespace.
fn belongs(inc: &Incident, a: &Alert) -> bool {
    // A drill's or game-day's own alerts are part of it.
    inc.exercise
        .as_ref()
        .is_some_and(|x| x.plan.claims_alert(a.name(), a.starts_at, inc.declared.at))
        || a.fingerprint == inc.alert.fingerprint
        || (a.name() == inc.alert.name
            && inc.alert.labels.get("namespace").map(String::as_str) == a.label("namespace"))
}

/// Records in the journal when the incident's alerts fire, resolve, or are
/// silenced or inhibited, judged against what the journal already says.
fn observe_incident_alerts(app: &mut App, source: &str, fx: &mut Fx) {
    let Some(inc) = app.incident_state().filter(|i| i.is_open()) else {
        return;
    };
    let watch = &app.watch;
    let mut changes: Vec<(String, String, AlertState, Vec<String>)> = Vec::new();
    let mut live = HashSet::new();
    for a in app.alerts.items().iter().filter(|a| belongs(inc, a)) {
        live.insert(a.fingerprint.clone());
        let known = watch
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
    let gone: Vec<String> = inc
        .alerts
        .iter()
        .filter(|(fp, state)| {
            let state = watch.reported.get(*fp).unwrap_or(state);
            *state != AlertState::Resolved && !live.contains(*fp)
        })
        .map(|(fp, _)| fp.clone())
        .collect();
    let absent = &mut app.watch.absent;
    absent.retain(|fp, _| gone.contains(fp));
    for fp in gone {
        let n = absent.entry(fp.clone()).or_default();
        *n += 1;
        if *n >= 2 {
            changes.push((fp, name.clone(), AlertState::Resolved, Vec::new()));
        }
    }
    for (fingerprint, name, state, silenced_by) in changes {
        app.watch.reported.insert(fingerprint.clone(), state);
        app.watch.absent.remove(&fingerprint);
        // The n-th change of this alert: every cockpit that has read the
        // same journal names the same change the same way, and this
        // cockpit's own changes count even before they are read back.
        let recorded = app.incident.as_ref().map_or(0, |i| {
            i.events
                .iter()
                .filter(|e| matches!(&e.kind, EventKind::AlertChanged { fingerprint: f, .. } if *f == fingerprint))
                .count()
        });
        let written = app
            .watch
            .changes_written
            .entry(fingerprint.clone())
            .or_default();
        let n = recorded.max(*written);
        *written = n + 1;
        let fact = format!("alert/{fingerprint}/{n}/{}", state.as_str());
        observe(
            app,
            source,
            EventKind::AlertChanged {
                fingerprint,
                name,
                state,
                silenced_by,
            },
            &fact,
            fx,
        );
    }
}

/// The alert a silence is for: the selected one in the Alerts pane, else the
/// open incident's alert.
pub fn silence_target(app: &App) -> Option<(String, String, BTreeMap<String, String>)> {
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
    // A hand-declared incident has no alert to silence.
    let inc = app.incident_state().filter(|i| !i.alert.is_manual())?;
    Some(app.shown_alert().map(from_alert).unwrap_or_else(|| {
        (
            inc.alert.name.clone(),
            inc.alert.fingerprint.clone(),
            inc.alert.labels.clone(),
        )
    }))
}

/// `:silence DURATION`: asks Alertmanager to silence the target alert.
pub fn silence(app: &mut App, duration: Duration, fx: &mut Fx) {
    let Some((name, fingerprint, labels)) = silence_target(app) else {
        return app.error("no alert selected to silence");
    };
    // The comment is read in other tools (amtool, the Alertmanager UI): no
    // control characters or escape sequences, and no secrets, leave with it.
    let outgoing = |s: &str| crate::domain::redact::redact(&crate::sanitize::line(s));
    let comment = match app.incident_state() {
        Some(inc) => format!("warroom incident {} ({})", inc.id, outgoing(&inc.title)),
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
        created_by: outgoing(&app.settings.author),
        comment,
    }));
}

/// `:unsilence [ID]`: the given silence, else the incident's latest, else the
/// selected alert's.
pub fn unsilence(app: &mut App, id: Option<String>, fx: &mut Fx) {
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

/// Alertmanager created the silence: shown, and recorded in the incident.
pub fn on_silenced(app: &mut App, result: Result<SilenceDone, String>, fx: &mut Fx) {
    match result {
        Ok(done) => {
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
                    fx,
                );
            }
        }
        Err(e) => app.error(format!("silence not created: {e}")),
    }
}

/// Alertmanager expired the silence: shown, and recorded in the incident.
pub fn on_unsilenced(app: &mut App, result: Result<String, String>, fx: &mut Fx) {
    match result {
        Ok(id) => {
            app.info(format!("silence {id} expired"));
            if app.incident_state().is_some() {
                record(app, EventKind::SilenceExpired { silence_id: id }, fx);
            }
        }
        Err(e) => app.error(format!("silence not expired: {e}")),
    }
}
