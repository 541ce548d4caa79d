//! `warroom open`: the cockpit starts on what a page pointed at. Once the
//! first alerts arrive, the matching alert is selected (the list narrowed to
//! the matches, most severe first), its runbook shown at step 1, and an
//! incident already open for it joined; nothing is declared unless asked.

use super::msg::{Effect, Fx};
use super::state::{App, Pane};
pub use super::state::{KnownIncident, Opening};
use crate::domain::open::{AlertQuery, Target};

/// The first alerts have arrived: carry out the opening, if one waits.
pub fn on_alerts(app: &mut App, fx: &mut Fx) {
    let Some(opening) = app.opening.take() else {
        return;
    };
    let (query, fingerprint) = match &opening.target {
        Target::Alerts(q) => (Some(q.clone()), None),
        Target::Fingerprint(fp) => (None, Some(fp.clone())),
        Target::Incident(_) => return,
    };
    let asked = opening.target.to_string();
    let matches: Vec<(String, String)> = app
        .alerts
        .items()
        .iter()
        .filter(|a| match (&query, &fingerprint) {
            (Some(q), _) => q.matches(a),
            (None, Some(fp)) => a.fingerprint.eq_ignore_ascii_case(fp),
            (None, None) => false,
        })
        .map(|a| (a.fingerprint.clone(), a.name().to_string()))
        .collect();
    // Items are kept most urgent first: the first match is the most severe.
    let Some((fp, name)) = matches.first().cloned() else {
        let offer = known_for(app, query.as_ref(), fingerprint.as_deref())
            .map(|k| {
                format!(
                    " — incident {} exists for it: :join {} opens it",
                    k.id, k.id
                )
            })
            .unwrap_or_default();
        app.error(format!(
            "no firing alert matches {asked}; it may have resolved — showing all alerts{offer}"
        ));
        return;
    };
    if let Some(q) = query {
        app.alerts.set_query(Some(q));
    }
    app.alerts.select(&fp);
    app.focus = Pane::Runbook;
    app.runbook.select(0);
    let open = app
        .known
        .iter()
        .find(|k| k.open && k.fingerprint == fp)
        .map(|k| k.id.clone());
    let n = matches.len();
    let which = if n == 1 {
        format!("{name} matches {asked}")
    } else {
        format!("{n} alerts match {asked}; the most severe, {name}, is selected")
    };
    match open {
        Some(id) => {
            app.info(format!("{which}: joining incident {id}"));
            super::incident::declare_selected_now(app, fx);
        }
        None if opening.declare => {
            app.info(format!("{which}: declaring"));
            super::incident::declare_selected_now(app, fx);
        }
        None => app.info(format!("{which}: Enter declares · Esc shows all alerts")),
    }
}

/// An incident at start for what was asked: by the alert's fingerprint, or
/// by its name when the query names it.
fn known_for<'a>(
    app: &'a App,
    query: Option<&AlertQuery>,
    fingerprint: Option<&str>,
) -> Option<&'a KnownIncident> {
    let name = query.and_then(|q| {
        q.matchers
            .iter()
            .find(|m| m.name == "alertname" && m.op == crate::domain::open::Op::Eq)
            .map(|m| m.value.clone())
    });
    app.known.iter().rev().find(|k| {
        fingerprint.is_some_and(|fp| k.fingerprint.eq_ignore_ascii_case(fp))
            || name.as_deref() == Some(k.alert.as_str())
    })
}

/// `warroom open ID` (or `:join ID`): read an incident's journal and follow
/// it; a resolved one is shown read-only.
pub fn join(app: &mut App, id: &str, fx: &mut Fx) {
    if app.incident.as_ref().is_some_and(|i| i.id == id) {
        app.info(format!("incident {id} is open here already"));
        return;
    }
    fx.push(Effect::Rejoin(id.to_string()));
}
