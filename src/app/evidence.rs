//! Pinning evidence: what a responder saw, recorded as it was, so the
//! postmortem shows it rather than a picture rebuilt from memory.

use std::path::PathBuf;

use super::msg::{Effect, Fx, WindowRequest, record};
use super::state::{App, RANGES};
use crate::domain::incident::evidence::{MAX_LINES, Pinned, PinnedChart, PinnedOutput, PinnedPod};
use crate::domain::incident::{Event, EventKind};
use crate::domain::placeholder::fill_string;
use crate::domain::unit::Unit;

/// `:pin [CAPTION]` (`p` in the Metrics pane): the chart as it is now —
/// query, range, the worst series downsampled, threshold, unit and the
/// current value — with the caption, into the timeline.
pub fn pin_chart(app: &mut App, caption: &str, fx: &mut Fx) {
    if super::incident::require(app).is_none() {
        return;
    }
    let m = &app.metric;
    let (Some(query), Some(data)) = (m.query.clone(), m.data.as_ref()) else {
        return app.error("nothing to pin: the Metrics pane has no chart yet");
    };
    let range_s = RANGES.get(m.range).map_or(900, |r| r.as_secs());
    let Some(mut chart) = PinnedChart::of(data, range_s, m.threshold, &m.unit.to_string()) else {
        return app.error("nothing to pin: the query returned no data");
    };
    chart.query = query;
    let caption = crate::sanitize::line(caption.trim()).into_owned();
    record(
        app,
        EventKind::Evidence {
            caption,
            pinned: Pinned::Chart(chart),
        },
        fx,
    );
    app.info("chart pinned to the timeline (Enter on it in the Timeline shows it)");
}

/// `:pin output [CAPTION]` (`p` in the output panel): the latest command's
/// step, command, how it ended and its last lines, with the caption.
pub fn pin_output(app: &mut App, caption: &str, fx: &mut Fx) {
    if super::incident::require(app).is_none() {
        return;
    }
    let Some(run) = app.runs.latest.as_ref() else {
        return app.error("nothing to pin: no command has run here");
    };
    let skip = run.lines.len().saturating_sub(MAX_LINES);
    let output = PinnedOutput {
        step: run.step.clone(),
        command: run.command.clone(),
        outcome: run.outcome.as_ref().map(|(o, d)| {
            format!(
                "{} in {}",
                o.describe(),
                crate::domain::time::short_duration(*d)
            )
        }),
        lines: run.lines.iter().skip(skip).cloned().collect(),
        omitted: run.dropped + skip,
    };
    let caption = crate::sanitize::line(caption.trim()).into_owned();
    record(
        app,
        EventKind::Evidence {
            caption,
            pinned: Pinned::Output(output),
        },
        fx,
    );
    app.info("output pinned to the timeline");
}

/// `:pin pod [CAPTION]` (`P` in pod details): the pod's recent events and
/// the last lines of the log shown, with the caption.
pub fn pin_pod(app: &mut App, caption: &str, fx: &mut Fx) {
    if super::incident::require(app).is_none() {
        return;
    }
    let Some(d) = app.pods.detail.as_ref() else {
        return app.error("nothing to pin: open a pod's details first (Enter on a pod)");
    };
    let events = match &d.events {
        Some(Ok(v)) => v
            .iter()
            .map(|e| {
                let times = if e.count > 1 {
                    format!(" ×{}", e.count)
                } else {
                    String::new()
                };
                format!("{} {}{times}: {}", e.kind, e.reason, e.message)
            })
            .collect(),
        Some(Err(e)) => vec![format!("events could not be read: {e}")],
        None => Vec::new(),
    };
    let skip = d.log.len().saturating_sub(MAX_LINES);
    let pod = PinnedPod {
        pod: format!("{}/{}", d.pod.namespace, d.pod.name),
        container: d.container.clone(),
        previous: d.previous,
        events,
        log: d.log.iter().skip(skip).cloned().collect(),
    };
    let caption = crate::sanitize::line(caption.trim()).into_owned();
    record(
        app,
        EventKind::Evidence {
            caption,
            pinned: Pinned::Pod(pod),
        },
        fx,
    );
    app.info("pod details pinned to the timeline");
}

/// The incident's main metric: its runbook's query with the alert's labels
/// filled in (with the runbook's threshold and unit), else the alert rule's
/// own expression. `None` when neither is known.
fn main_metric(app: &App) -> Option<(String, Option<f64>, String)> {
    let inc = app.incident_state()?;
    let rb = inc
        .runbook
        .as_ref()
        .and_then(|r| app.runbooks.library.get(&r.id));
    let query = match rb.and_then(|r| r.meta.query.as_deref()) {
        Some(q) => fill_string(q, &inc.alert.labels),
        None => app
            .alerts
            .items()
            .iter()
            .find(|a| a.fingerprint == inc.alert.fingerprint)
            .and_then(|a| a.expression())?,
    };
    let unit = Unit::resolve(rb.and_then(|r| r.meta.unit.as_deref()), Some(&query));
    Some((query, rb.and_then(|r| r.meta.threshold), unit.to_string()))
}

/// Asks for the incident's main metric over its window, to be recorded in
/// the journal: at resolution, and on `:export` (`then_export`), which
/// writes the draft once the record is in. Without a known metric an
/// export goes ahead at once.
pub fn record_window(app: &mut App, then_export: Option<Option<PathBuf>>, fx: &mut Fx) {
    let (Some(inc), Some(open)) = (app.incident_state(), app.incident.as_ref()) else {
        return;
    };
    let id = open.id.clone();
    // A resolved incident's window was recorded when it was resolved: an
    // export reads that record, so the same journal gives the same draft.
    let recorded = open
        .events
        .iter()
        .rev()
        .take_while(|e| !matches!(e.kind, EventKind::Resolved))
        .any(|e| matches!(e.kind, EventKind::MetricWindow { .. }));
    let (start, end) = crate::domain::incident::evidence::window(inc, app.now);
    let resolved = inc.resolved.is_some();
    match main_metric(app) {
        Some((query, threshold, unit)) if !(resolved && then_export.is_some() && recorded) => {
            fx.push(Effect::FetchWindow(WindowRequest {
                incident: id,
                query,
                start,
                end,
                threshold,
                unit,
                then_export,
            }));
        }
        _ => {
            if let Some(path) = then_export {
                fx.push(Effect::Export { id, path });
            }
        }
    }
}

/// The main metric's answer: recorded in the journal (even once the
/// incident is resolved: it belongs to the record), then the export that
/// waited for it, if any.
pub fn on_window(
    app: &mut App,
    request: WindowRequest,
    result: Result<PinnedChart, String>,
    fx: &mut Fx,
) {
    let open = app
        .incident
        .as_ref()
        .is_some_and(|i| i.id == request.incident && !i.gone);
    let chart = match result {
        Ok(c) if open => c,
        Ok(_) => return,
        Err(e) => {
            app.error(format!(
                "the main metric was not recorded for the postmortem: {e}"
            ));
            if let Some(path) = request.then_export {
                fx.push(Effect::Export {
                    id: request.incident,
                    path,
                });
            }
            return;
        }
    };
    let event = Event::new(
        super::msg::stamp(app),
        app.settings.author.clone(),
        EventKind::MetricWindow { chart },
    );
    if let Some(path) = request.then_export {
        app.watch.export_after = Some((event.id.clone(), path));
        app.info("recording the main metric, then writing the draft…");
    }
    app.watch.pending += 1;
    fx.push(Effect::Append(event));
}

/// Once the main metric's record is read back from the journal, the
/// export waiting for it goes ahead.
pub fn after_journal(app: &mut App, fx: &mut Fx) {
    let Some((event, _)) = &app.watch.export_after else {
        return;
    };
    let Some(open) = app.incident.as_ref() else {
        return;
    };
    if !open.events.iter().rev().any(|e| &e.id == event) {
        return;
    }
    let id = open.id.clone();
    if let Some((_, path)) = app.watch.export_after.take() {
        fx.push(Effect::Export { id, path });
    }
}

/// Who pins evidence in the demo's story, so a new user sees it in the
/// timeline and in the export without knowing the keys yet.
pub const DEMO_TEAMMATE: &str = "sam (demo teammate)";

/// The demo's teammate pins the chart 20 s into a demo incident and the
/// pods' state (as `kubectl get pods` prints it) 40 s in, once each.
pub fn demo_teammate(app: &mut App, fx: &mut Fx) {
    if !app.settings.demo || app.writable().is_err() {
        return;
    }
    let (Some(inc), Some(open)) = (app.incident_state(), app.incident.as_ref()) else {
        return;
    };
    if !inc.is_open() || inc.exercise.is_some() {
        return;
    }
    let elapsed = app.now.duration_since(inc.declared.at).as_secs();
    let id = open.id.clone();
    let pinned = |what: fn(&Pinned) -> bool| {
        open.events.iter().any(|e| {
            e.author == DEMO_TEAMMATE
                && matches!(&e.kind, EventKind::Evidence { pinned, .. } if what(pinned))
        })
    };
    let asked = |fact: &str| app.watch.demo_pins.contains(&format!("{id}/{fact}"));
    let has_chart = asked("demo-pin-chart") || pinned(|p| matches!(p, Pinned::Chart(_)));
    let has_output = asked("demo-pin-output") || pinned(|p| matches!(p, Pinned::Output(_)));
    let kind = if elapsed >= 20 && !has_chart {
        let m = &app.metric;
        let range_s = RANGES.get(m.range).map_or(900, |r| r.as_secs());
        let Some(chart) = m
            .data
            .as_ref()
            .and_then(|d| PinnedChart::of(d, range_s, m.threshold, &m.unit.to_string()))
        else {
            return;
        };
        (
            EventKind::Evidence {
                caption: "p99 took off a few minutes before the page".into(),
                pinned: Pinned::Chart(chart),
            },
            "demo-pin-chart",
        )
    } else if elapsed >= 40 && !has_output {
        let mut lines = vec![format!(
            "{:<34} {:<6} {:<28} {}",
            "NAME", "READY", "STATUS", "RESTARTS"
        )];
        for p in app.visible_pods().iter().take(MAX_LINES - 1) {
            lines.push(format!(
                "{:<34} {:<6} {:<28} {}",
                p.name,
                format!("{}/{}", p.ready, p.containers),
                p.status,
                p.restarts
            ));
        }
        let scope = app.pod_scope();
        let selector = scope
            .selector
            .map(|s| format!(" -l {s}"))
            .unwrap_or_default();
        (
            EventKind::Evidence {
                caption: "one catalog pod keeps restarting".into(),
                pinned: Pinned::Output(PinnedOutput {
                    step: "check-3".into(),
                    command: format!("kubectl -n {} get pods{selector}", scope.namespace),
                    outcome: Some("exit 0".into()),
                    lines,
                    omitted: 0,
                }),
            },
            "demo-pin-output",
        )
    } else {
        return;
    };
    let (kind, fact) = kind;
    app.watch.demo_pins.push(format!("{id}/{fact}"));
    let event = Event::new(super::msg::stamp(app), DEMO_TEAMMATE.into(), kind).as_fact(&id, fact);
    fx.push(Effect::Append(event));
}
