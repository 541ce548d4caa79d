//! The runbook library while the cockpit runs: choosing the checklist
//! (`:runbook`), hot reload of edited files, and the steps' verify queries.

use std::path::PathBuf;
use std::time::Duration;

use super::keys::{self, Action};
use super::msg::{Effect, Fx, record, record_fact};
use super::state::{App, Pane, QueryCheck};
use crate::domain::incident::{EventKind, RunbookRef, StepAt};
use crate::domain::placeholder::{Use, fill};
use crate::domain::runbook::{Runbook, RunbookError};

/// How often a step's `verify_query` is asked while it is not yet met.
pub const QUERY_EVERY: Duration = Duration::from_secs(15);

/// `:runbook NAME`: attach another runbook to the open incident and show it
/// (recorded; an incident may work several), show one already attached, or
/// preview the runbook for the selected alert.
pub fn attach(app: &mut App, name: &str, fx: &mut Fx) {
    let library = &app.runbooks.library;
    let Some(rb) = library.get(name) else {
        let known: Vec<&str> = library.runbooks.iter().map(|r| r.id.as_str()).collect();
        let known = if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        };
        return app.error(format!("no runbook '{name}' (known: {known})"));
    };
    let labels = app.shown_labels().cloned().unwrap_or_default();
    let rref = RunbookRef::from_runbook(rb, &labels);
    let id = rb.id.clone();
    app.runbook.select(0);
    app.focus = Pane::Runbook;
    match app.incident_state() {
        Some(inc) if inc.attached_runbook(&id).is_some() => {
            let n = inc.attached.len();
            app.runbook.shown = Some(id.clone());
            app.info(format!(
                "runbook {id} shown ({n} attached: {} and {} switch)",
                keys::pane_key(Pane::Runbook, Action::PrevRunbook),
                keys::pane_key(Pane::Runbook, Action::NextRunbook)
            ));
        }
        Some(inc) => {
            let n = inc.attached.len() + 1;
            app.runbook.shown = None;
            record(app, EventKind::RunbookAttached { runbook: rref }, fx);
            if n > 1 {
                app.info(format!(
                    "runbook {id} attached and shown; {} and {} switch between the {n} attached",
                    keys::pane_key(Pane::Runbook, Action::PrevRunbook),
                    keys::pane_key(Pane::Runbook, Action::NextRunbook)
                ));
            }
        }
        None => {
            let fp = app.alerts.selected().map(|a| a.fingerprint.clone());
            app.runbook.preview = Some((fp, id.clone()));
            app.info(format!("previewing runbook {id}"));
        }
    }
}

/// `[` and `]`: show the previous or next of the incident's attached
/// runbooks at this terminal (nothing is recorded: each responder may look
/// at a different one).
pub fn cycle(app: &mut App, forward: bool) {
    let Some(inc) = app.incident_state() else {
        return app.info("no incident open: runbooks are attached to an incident");
    };
    let ids: Vec<String> = inc.attached.iter().map(|r| r.id.clone()).collect();
    let in_force = inc.runbook.as_ref().map(|r| r.id.clone());
    if ids.len() < 2 {
        return app.info("only one runbook is attached (:runbook NAME attaches another)");
    }
    let current = app.shown_runbook().map(|r| r.id.clone());
    let at = current
        .and_then(|c| ids.iter().position(|i| *i == c))
        .unwrap_or(0);
    let next = if forward {
        (at + 1) % ids.len()
    } else {
        (at + ids.len() - 1) % ids.len()
    };
    let id = ids[next].clone();
    app.runbook.shown = (Some(&id) != in_force.as_ref()).then(|| id.clone());
    app.runbook.select(0);
    app.info(format!("runbook {id} ({} of {})", next + 1, ids.len()));
}

/// A runbook file changed on disk. A good version replaces the old one in
/// place (ticks are kept by step key, the cursor stays on its step); a broken
/// one leaves the last good version in use and says why.
pub fn on_changed(app: &mut App, path: PathBuf, result: Result<Box<Runbook>, RunbookError>) {
    let shown = app.shown_runbook().map(|r| r.path.clone());
    let is_shown = shown.as_ref() == Some(&path);
    match result {
        Ok(rb) => {
            let cursor_step = app.selected_step().map(|s| s.key.clone());
            let clash = app
                .runbooks
                .library
                .runbooks
                .iter()
                .any(|r| r.id.eq_ignore_ascii_case(&rb.id) && r.path != path);
            if clash {
                let msg = format!(
                    "{}: runbook id '{}' is already used by another file; edit not loaded",
                    path.display(),
                    rb.id
                );
                app.runbooks.reload_errors.insert(path, msg.clone());
                return app.error(msg);
            }
            app.runbooks.reload_errors.remove(&path);
            let id = rb.id.clone();
            // A drill's targets were frozen when it began: an edit applies
            // from the next drill, and the responder is told so.
            let frozen = super::exercise::frozen_targets(app, &rb);
            let library = &mut app.runbooks.library;
            match library.runbooks.iter_mut().find(|r| r.path == path) {
                Some(slot) => *slot = *rb,
                None => library.runbooks.push(*rb),
            }
            library.errors.retain(|e| e.path != path);
            if is_shown {
                if let Some(pos) = cursor_step.and_then(|k| {
                    app.shown_runbook()
                        .and_then(|r| r.steps().position(|(_, s)| s.key == k))
                }) {
                    app.runbook.select(pos);
                }
                let len = app.shown_runbook().map_or(0, |r| r.steps().count());
                app.runbook
                    .select(app.runbook.cursor.min(len.saturating_sub(1)));
                app.info(format!("runbook {id} reloaded from {}", path.display()));
            }
            if let Some(msg) = frozen {
                app.error(msg);
            }
        }
        Err(e) => {
            let library = &mut app.runbooks.library;
            let known = library.runbooks.iter().any(|r| r.path == path);
            if known {
                app.runbooks.reload_errors.insert(path, e.to_string());
                if is_shown {
                    app.error(format!("runbook edit not loaded: {e}"));
                }
            } else {
                library.errors.retain(|x| x.path != path);
                library.errors.push(e);
            }
        }
    }
}

/// On the clock: ask the `verify_query` of every step of the open incident's
/// runbook that is not yet confirmed, at most every [`QUERY_EVERY`].
pub fn check_queries(app: &mut App, fx: &mut Fx) {
    let Some(inc) = app.incident_state().filter(|i| i.is_open()) else {
        return;
    };
    if app.metric.status.off.is_some() {
        return; // no Prometheus: the pane says so
    }
    let labels = inc.alert.labels.clone();
    let wanted: Vec<(StepAt, String)> = app
        .shown_runbook()
        .map(|rb| {
            rb.steps()
                .filter(|(_, s)| inc.step_verified(&rb.id, *s).is_none())
                .filter_map(|(_, s)| {
                    let q = s.contract.as_ref()?.verify_query.as_ref()?;
                    let q = fill(q, &labels, Use::Exact).ready()?;
                    Some((StepAt::of(&rb.id, s), q))
                })
                .collect()
        })
        .unwrap_or_default();
    let checks = &mut app.runbook.checks;
    checks.retain(|step, _| wanted.iter().any(|(s, _)| s == step));
    let every = jiff::SignedDuration::try_from(QUERY_EVERY).unwrap_or_default();
    for (step, query) in wanted {
        let check = checks.entry(step.clone()).or_insert_with(|| QueryCheck {
            query: query.clone(),
            ..QueryCheck::default()
        });
        if check.query != query {
            *check = QueryCheck {
                query: query.clone(),
                ..QueryCheck::default()
            };
        }
        let due = check
            .asked
            .is_none_or(|t| app.now.duration_since(t) >= every);
        if due && !check.in_flight {
            check.in_flight = true;
            check.asked = Some(app.now);
            fx.push(Effect::CheckQuery { step, query });
        }
    }
}

/// The answer to a `verify_query`: data means the step took effect.
pub fn on_query_checked(
    app: &mut App,
    step: StepAt,
    query: String,
    result: Result<usize, String>,
    fx: &mut Fx,
) {
    let Some(check) = app
        .runbook
        .checks
        .get_mut(&step)
        .filter(|c| c.query == query)
    else {
        return;
    };
    check.in_flight = false;
    check.result = Some(result.clone());
    let Some(st) = app
        .runbooks
        .library
        .get(&step.runbook)
        .and_then(|rb| rb.step_by_key(&step.key))
        .map(|(_, s)| s.clone())
    else {
        return;
    };
    let already = app
        .incident_state()
        .is_none_or(|i| i.step_verified(&step.runbook, &st).is_some());
    if let Ok(n) = result
        && n > 0
        && !already
    {
        let fact = format!("verified-by-query/{}/{}", step.runbook, step.key);
        record_fact(
            app,
            EventKind::StepVerified {
                step: st.id.clone(),
                how: format!("verify_query returned {n} series: {query}"),
                runbook: Some(step.runbook.clone()),
                key: Some(step.key.clone()),
            },
            &fact,
            fx,
        );
        app.info(format!("step {} confirmed by its verify query", st.id));
    }
}
