//! Chaos game-days in the reducer: an experiment loaded and checked before
//! anything is applied, started by its name typed, its fault applied, the
//! abort query polled through the window, and the fault removed at the end,
//! on abort, or on `:abort`.

use jiff::{SignedDuration, Timestamp};

use super::msg::{Ask, Effect, Fx};
use super::next::{Next, Open};
use super::state::App;
pub use super::state::gameday::{GamedayRun, Phase};
use crate::domain::exercise::Experiment;
use crate::domain::incident::exercise::{AbortEvidence, CheckMark, Sample};
use crate::domain::incident::{AlertRef, Event, EventKind, Exercise, GamedayPlan, Outcome};
use crate::domain::time::to_millis;
use crate::sources::kubernetes::FaultRef;

/// Abort queries that fail this many times in a row stop the experiment:
/// a fault nobody can watch must not stay in.
pub const BLIND_POLLS: u32 = 3;

/// The most abort answers kept (and recorded) for one game-day.
pub const MAX_SAMPLES: usize = 2_000;

/// `:gameday FILE`: the file is read and checked off the loop.
pub fn load(app: &mut App, path: std::path::PathBuf, fx: &mut Fx) {
    if let Some(inc) = app.incident_state().filter(|i| i.is_open()) {
        return app.error(format!(
            "{} is open here: resolve it or start another cockpit for the game-day",
            inc.id
        ));
    }
    if app
        .gameday
        .as_ref()
        .is_some_and(|g| matches!(g.phase, Phase::Applying | Phase::Running | Phase::Judging))
    {
        return app.error("a game-day is running: :abort stops it");
    }
    app.info(format!("reading {}…", path.display()));
    fx.push(Effect::LoadExperiment(path));
}

/// The experiment file was read: pre-flight starts (steady state, pod count).
pub fn on_loaded(app: &mut App, result: Result<Experiment, String>, fx: &mut Fx) -> Next {
    let experiment = match result {
        Ok(e) => e,
        Err(e) => {
            // The message line holds one problem; lint lists them all.
            let mut lines = e.lines();
            let first = lines.next().unwrap_or_default().to_string();
            let more = lines.count();
            app.error(match more {
                0 => format!("experiment not loaded: {first}"),
                n => format!(
                    "experiment not loaded: {first} (+{n} more: warroom lint FILE lists them all)"
                ),
            });
            return Next::Stay;
        }
    };
    let context = match (&app.cluster, app.settings.demo) {
        (_, true) => "demo".to_string(),
        (Some((c, _)), false) => c.clone(),
        (None, false) => "none".to_string(),
    };
    let verdict = experiment.check_context(&context, &app.settings.production_contexts);
    fx.push(Effect::ExerciseQuery {
        ask: Ask::SteadyBefore,
        query: experiment.steady_state.clone(),
    });
    fx.push(Effect::ExerciseQuery {
        ask: Ask::AbortBefore,
        query: experiment.abort.clone(),
    });
    let runbook_found = app.runbooks.library.get(&experiment.runbook).is_some();
    fx.push(Effect::CountPods {
        namespace: experiment.blast_radius.namespace.clone(),
        selector: experiment.blast_radius.selector.clone(),
    });
    app.gameday = Some(GamedayRun {
        experiment,
        context,
        verdict,
        steady: None,
        abort_probe: None,
        runbook_found,
        pods: None,
        phase: Phase::Preflight,
        fault: None,
        samples: Vec::new(),
        next_poll: None,
        blind: 0,
        started: None,
    });
    Open::Gameday.into()
}

/// The pod count for the pre-flight.
pub fn on_pods_counted(app: &mut App, result: Result<usize, String>) {
    if let Some(g) = app.gameday.as_mut().filter(|g| g.phase == Phase::Preflight) {
        g.pods = Some(result);
    }
}

/// The name was typed: if every check passes, the game-day is declared and
/// its fault applied once the journal has it.
pub fn start(app: &mut App, typed: &str, fx: &mut Fx) -> Result<(), String> {
    let cluster = app.cluster.is_some() || app.settings.demo;
    let read_only = app.settings.read_only;
    let Some(g) = app.gameday.as_mut().filter(|g| g.phase == Phase::Preflight) else {
        return Err("no experiment is waiting to start".into());
    };
    let failed: Vec<String> = g
        .checks(read_only, cluster)
        .into_iter()
        .filter(|c| !c.ok)
        .map(|c| format!("{}: {}", c.label, c.detail))
        .collect();
    if !failed.is_empty() {
        return Err(format!("refused — {}", failed.join("; ")));
    }
    if typed != g.answer() {
        return Err(format!(
            "'{typed}' is not {}: nothing was applied",
            g.answer()
        ));
    }
    g.phase = Phase::Declaring;
    let e = &g.experiment;
    let at = to_millis(app.now);
    // The runbook's `$namespace` is the blast radius's.
    let labels: std::collections::BTreeMap<String, String> =
        [("namespace".to_string(), e.blast_radius.namespace.clone())].into();
    let alerts = app
        .runbooks
        .library
        .get(&e.runbook)
        .map(|rb| rb.meta.alerts.clone())
        .unwrap_or_default();
    let runbook = app
        .runbooks
        .library
        .get(&e.runbook)
        .map(|rb| crate::domain::incident::RunbookRef::from_runbook(rb, &labels));
    let plan = GamedayPlan {
        name: e.name.clone(),
        file: e.source.display().to_string(),
        hypothesis: e.hypothesis.clone(),
        runbook: e.runbook.clone(),
        namespace: e.blast_radius.namespace.clone(),
        selector: e.blast_radius.selector.clone(),
        max_pods: e.blast_radius.max_pods,
        max_duration_ms: ms(e.blast_radius.max_duration),
        contexts: e.blast_radius.contexts.clone(),
        context: g.context.clone(),
        manifest: e.manifest.clone(),
        abort: e.abort.clone(),
        steady_state: e.steady_state.clone(),
        window_ms: ms(e.window),
        poll_ms: ms(e.poll),
        alerts,
    };
    let event = Event::new(
        at,
        app.settings.author.clone(),
        EventKind::Declared {
            id: String::new(),
            title: format!("Game-day: {}", e.name),
            severity: app.settings.severity.map(None),
            alert: AlertRef {
                labels: labels.clone(),
                ..AlertRef::exercise("gameday", &e.name, at)
            },
            runbook,
            exercise: Some(Box::new(Exercise::Gameday(Box::new(plan)))),
        },
    );
    fx.push(Effect::Declare(event));
    app.info("pre-flight passed: declaring the game-day, then applying the fault…");
    Ok(())
}

fn ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The game-day's journal is open: the pre-flight goes on record and the
/// fault is applied.
pub fn on_opened(app: &mut App, fx: &mut Fx) {
    let Some(id) = app.incident.as_ref().map(|i| i.id.clone()) else {
        return;
    };
    let read_only = app.settings.read_only;
    let Some(g) = app.gameday.as_mut().filter(|g| g.phase == Phase::Declaring) else {
        return;
    };
    // An open game-day of the same experiment was joined (another cockpit
    // runs it, or it ended and was not resolved): its run is not redone.
    let joined = app
        .incident
        .as_ref()
        .and_then(|i| i.state.as_ref())
        .and_then(|i| i.exercise.as_ref())
        .is_some_and(|x| x.started.is_some() || x.ended.is_some());
    if joined {
        g.phase = Phase::Done;
        return app.error(format!(
            "{id} is still open for this experiment: joined it; nothing was applied (resolve it before running the experiment again)"
        ));
    }
    let checks: Vec<CheckMark> = g
        .checks(read_only, true)
        .into_iter()
        .map(|c| CheckMark {
            label: c.label,
            ok: c.ok,
            detail: c.detail,
        })
        .collect();
    g.phase = Phase::Applying;
    let manifest = g.experiment.manifest.clone();
    super::msg::record(app, EventKind::ExperimentStarted { checks }, fx);
    fx.push(Effect::ApplyFault { manifest, run: id });
}

/// The fault was applied (or refused).
pub fn on_applied(app: &mut App, what: String, result: Result<FaultRef, String>, fx: &mut Fx) {
    let ok = result.is_ok();
    let outcome = match &result {
        Ok(f) => format!("applied {}", f.describe()),
        Err(e) => e.clone(),
    };
    super::msg::record(
        app,
        EventKind::ClusterAction {
            action: what,
            ok,
            outcome,
        },
        fx,
    );
    let now = app.now;
    let Some(g) = app.gameday.as_mut() else {
        return;
    };
    match result {
        // Stopped while the fault was on its way: it goes at once.
        Ok(fault) if g.phase != Phase::Applying => {
            fx.push(Effect::DeleteFault(fault));
        }
        Ok(fault) => {
            g.fault = Some(fault);
            g.phase = Phase::Running;
            g.started = Some(now);
            g.next_poll = Some(now);
            app.info("fault applied: watching the abort query until the window ends");
        }
        Err(e) => {
            g.phase = Phase::Done;
            end(
                app,
                Outcome::Stopped,
                format!("the fault could not be applied: {e}"),
                None,
                fx,
            );
        }
    }
}

/// Once a second: poll the abort query when due; end the window when over.
pub fn check(app: &mut App, fx: &mut Fx) {
    let now = app.now;
    let Some(g) = app.gameday.as_mut().filter(|g| g.phase == Phase::Running) else {
        return;
    };
    if g.ends().is_some_and(|e| now >= e) {
        g.phase = Phase::Judging;
        if let Some(f) = g.fault.clone() {
            fx.push(Effect::DeleteFault(f));
        }
        fx.push(Effect::ExerciseQuery {
            ask: Ask::SteadyAfter,
            query: g.experiment.steady_state.clone(),
        });
        app.info("window over: fault deleted; checking the steady state…");
        return;
    }
    if g.next_poll.is_some_and(|t| now >= t) {
        let poll =
            SignedDuration::from_millis(i64::try_from(ms(g.experiment.poll)).unwrap_or(5_000));
        g.next_poll = Some(now + poll);
        fx.push(Effect::ExerciseQuery {
            ask: Ask::Abort,
            query: g.experiment.abort.clone(),
        });
    }
}

/// An answer to a game-day query.
pub fn on_answer(
    app: &mut App,
    ask: Ask,
    at: Timestamp,
    result: Result<Vec<(String, f64)>, String>,
    fx: &mut Fx,
) {
    let Some(g) = app.gameday.as_mut() else {
        return;
    };
    match ask {
        Ask::SteadyBefore if g.phase == Phase::Preflight => {
            g.steady = Some(result.map(|s| s.len()));
        }
        Ask::AbortBefore if g.phase == Phase::Preflight => {
            g.abort_probe = Some(result.map(|s| s.len()));
        }
        Ask::Abort if g.phase == Phase::Running => match result {
            Ok(series) => {
                g.blind = 0;
                let top = series
                    .iter()
                    .filter(|(_, v)| !v.is_nan())
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .or(series.first())
                    .cloned();
                if g.samples.len() < MAX_SAMPLES {
                    g.samples.push(Sample {
                        at: to_millis(at),
                        value: top.as_ref().map(|(_, v)| *v),
                    });
                }
                if let Some((labels, value)) = top {
                    g.phase = Phase::Done;
                    if let Some(f) = g.fault.clone() {
                        fx.push(Effect::DeleteFault(f));
                    }
                    let evidence = AbortEvidence {
                        query: g.experiment.abort.clone(),
                        value,
                        series: labels,
                        at: to_millis(at),
                    };
                    end(
                        app,
                        Outcome::Aborted,
                        "the abort query answered: fault deleted at once".into(),
                        Some(evidence),
                        fx,
                    );
                }
            }
            Err(e) => {
                g.blind += 1;
                if g.blind >= BLIND_POLLS {
                    g.phase = Phase::Done;
                    if let Some(f) = g.fault.clone() {
                        fx.push(Effect::DeleteFault(f));
                    }
                    let why = format!(
                        "the abort query failed {BLIND_POLLS} times in a row ({e}): stopped, fault deleted"
                    );
                    end(app, Outcome::Stopped, why, None, fx);
                } else {
                    app.error(format!("abort query failed: {e}"));
                }
            }
        },
        Ask::SteadyAfter if g.phase == Phase::Judging => {
            g.phase = Phase::Done;
            let (outcome, why) = match result {
                Ok(s) if s.is_empty() => (
                    Outcome::Held,
                    "the abort query stayed empty through the window and the steady state holds"
                        .to_string(),
                ),
                Ok(s) => (
                    Outcome::Failed,
                    format!(
                        "the steady-state query returns {} series after the window",
                        s.len()
                    ),
                ),
                Err(e) => (
                    Outcome::Failed,
                    format!("the steady state could not be checked: {e}"),
                ),
            };
            end(app, outcome, why, None, fx);
        }
        _ => {}
    }
}

/// Records the end, with the abort query's answers.
fn end(app: &mut App, outcome: Outcome, why: String, evidence: Option<AbortEvidence>, fx: &mut Fx) {
    let series = app
        .gameday
        .as_ref()
        .map(|g| g.samples.clone())
        .unwrap_or_default();
    let Some(id) = app.incident.as_ref().map(|i| i.id.clone()) else {
        return;
    };
    app.info(format!("experiment {}: {why}", outcome.words()));
    if app.writable().is_err() {
        return;
    }
    let event = Event::new(
        super::msg::stamp(app),
        app.settings.author.clone(),
        EventKind::ExperimentEnded {
            outcome,
            why,
            evidence,
            series,
        },
    )
    .as_fact(&id, "ended");
    fx.push(Effect::Append(event));
}

/// The fault was deleted (or could not be).
pub fn on_deleted(app: &mut App, what: String, result: Result<String, String>, fx: &mut Fx) {
    let ok = result.is_ok();
    let outcome = match result {
        Ok(s) | Err(s) => s,
    };
    if !ok {
        app.error(format!(
            "{what}: {outcome} — delete it by hand (:cleanup tries again)"
        ));
    }
    if app.incident.is_some() {
        super::msg::record(
            app,
            EventKind::ClusterAction {
                action: what,
                ok,
                outcome,
            },
            fx,
        );
    }
}

/// `:abort`: stop the running game-day now.
pub fn abort(app: &mut App, fx: &mut Fx) {
    let Some(g) = app
        .gameday
        .as_mut()
        .filter(|g| matches!(g.phase, Phase::Applying | Phase::Running | Phase::Judging))
    else {
        return abort_elsewhere(app, fx);
    };
    g.phase = Phase::Done;
    if let Some(f) = g.fault.clone() {
        fx.push(Effect::DeleteFault(f));
    }
    end(
        app,
        Outcome::Stopped,
        "stopped by a responder (:abort); fault deleted".into(),
        None,
        fx,
    );
}

/// `:abort` on an open game-day whose run no cockpit here holds (the one
/// running it crashed or left): its end is recorded so it can be resolved,
/// and any fault warroom left is looked for, to be deleted with `:cleanup`.
fn abort_elsewhere(app: &mut App, fx: &mut Fx) {
    let unended = app
        .incident_state()
        .filter(|i| i.is_open())
        .and_then(|i| i.exercise.as_ref())
        .is_some_and(|x| x.plan.gameday().is_some() && x.started.is_some() && x.ended.is_none());
    if !unended {
        return app.error("no game-day is running here");
    }
    end(
        app,
        Outcome::Stopped,
        "stopped by a responder (:abort) after the cockpit running it left; its fault ends by its own duration"
            .into(),
        None,
        fx,
    );
    app.leftovers_asked = true;
    fx.push(Effect::FindLeftovers);
}

/// Faults warroom applied earlier that are still present (a crash).
pub fn on_leftovers(app: &mut App, result: Result<Vec<FaultRef>, String>) {
    let asked = std::mem::take(&mut app.leftovers_asked);
    // The fault of the game-day running here is not a leftover.
    let running = app
        .gameday
        .as_ref()
        .filter(|g| g.fault_in())
        .and_then(|g| g.fault.clone());
    let result = result.map(|mut v| {
        v.retain(|f| Some(f) != running.as_ref());
        v
    });
    match result {
        Ok(v) if v.is_empty() => {
            if asked {
                app.info("no chaos fault warroom applied is left in the cluster");
            }
        }
        Ok(v) => {
            let names: Vec<String> = v.iter().map(FaultRef::describe).collect();
            app.error(format!(
                "{} chaos fault(s) warroom applied are still present ({}): :cleanup deletes them",
                v.len(),
                names.join(", ")
            ));
            app.leftovers = v;
        }
        Err(e) if asked => app.error(format!("could not look for leftover faults: {e}")),
        Err(e) => tracing::warn!("could not look for leftover faults: {e}"),
    }
}

/// `:cleanup`: delete the leftovers found at start.
pub fn cleanup(app: &mut App, fx: &mut Fx) {
    if app.settings.read_only {
        return app.error("the cockpit is --read-only: nothing is deleted");
    }
    if app.leftovers.is_empty() {
        app.leftovers_asked = true;
        fx.push(Effect::FindLeftovers);
        return app.info("looking for faults warroom applied…");
    }
    for f in std::mem::take(&mut app.leftovers) {
        fx.push(Effect::DeleteFault(f));
    }
    app.info("deleting the leftover faults…");
}
