//! DR drills in the reducer: starting one from a drill runbook, the moments
//! its clocks turn on (injection, recovery, data lost), asking Prometheus
//! the drill's queries, and the score recorded when it ends.

use jiff::{SignedDuration, Timestamp};

use super::msg::{Effect, Fx};
use super::state::App;
use crate::domain::exercise::drill::{DrillScore, ms_text};
use crate::domain::incident::{AlertRef, Event, EventKind, Exercise, Incident, RunbookRef};
use crate::domain::time::to_millis;

/// How often a drill's recovered query is asked while it waits.
pub const RECOVERED_EVERY: SignedDuration = SignedDuration::from_secs(5);

pub use super::msg::Ask;

/// `:drill RUNBOOK` and `warroom drill RUNBOOK`: declares a drill of a drill
/// runbook, freezing its targets and content hash in the declaration.
pub fn start_drill(app: &mut App, name: &str, fx: &mut Fx) {
    if let Some(inc) = app.incident_state().filter(|i| i.is_open()) {
        let what = inc.exercise.as_ref().map_or("incident", |x| x.plan.kind());
        return app.error(format!(
            "{what} {} is open here: resolve it or start another cockpit for the drill",
            inc.id
        ));
    }
    let Some(rb) = app.runbooks.library.get(name) else {
        return app.error(format!("no runbook named {name}"));
    };
    let targets = match rb.drill_targets() {
        None => {
            return app.error(format!(
                "runbook {} is not a drill runbook: its front matter has no drill: {{rto: …, rpo: …}}",
                rb.id
            ));
        }
        Some(Err(problems)) => {
            return app.error(format!(
                "runbook {}: drill targets: {}",
                rb.id,
                problems.join("; ")
            ));
        }
        Some(Ok(t)) => t,
    };
    let at = to_millis(app.now);
    let event = Event::new(
        at,
        app.settings.author.clone(),
        EventKind::Declared {
            id: String::new(),
            title: format!("DR drill: {}", rb.title),
            severity: app.settings.severity.map(None),
            alert: AlertRef::exercise("drill", &rb.id, at),
            runbook: Some(RunbookRef::from_runbook(rb, &Default::default())),
            exercise: Some(Box::new(Exercise::Drill {
                runbook: rb.id.clone(),
                hash: rb.version.clone(),
                targets: targets.clone(),
                alerts: rb.meta.alerts.clone(),
            })),
        },
    );
    app.info(format!(
        "starting a DR drill of {} — RTO {}, RPO {} (frozen for this drill)",
        rb.id,
        ms_text(targets.rto_ms),
        ms_text(targets.rpo_ms)
    ));
    fx.push(Effect::Declare(event));
}

/// The open drill (not a game-day, not a real incident), or why there is none.
fn drill(app: &App) -> Result<&Incident, String> {
    match app.incident_state() {
        Some(inc)
            if inc
                .exercise
                .as_ref()
                .is_some_and(|x| x.plan.targets().is_some()) =>
        {
            Ok(inc)
        }
        Some(inc) => Err(format!(
            "{} is not a drill (:drill RUNBOOK starts one)",
            inc.id
        )),
        None => Err("no drill is open (:drill RUNBOOK starts one)".into()),
    }
}

/// Records a fact of the exercise once, whichever cockpit sees it first:
/// its id is derived from `fact`, and it is dated `at` when that was earlier.
fn fact(app: &mut App, kind: EventKind, fact: &str, at: Option<Timestamp>, fx: &mut Fx) {
    if let Err(e) = app.writable() {
        return app.error(e);
    }
    let Some(id) = app.incident.as_ref().map(|i| i.id.clone()) else {
        return;
    };
    // Written after everything this cockpit recorded before, so the
    // timeline keeps the order things were done in.
    let event = Event::new(super::msg::stamp(app), app.settings.author.clone(), kind)
        .about(at.map(to_millis))
        .as_fact(&id, fact);
    fx.push(Effect::Append(event));
}

/// `:inject`: the fault is in; the RTO clock starts now.
pub fn inject(app: &mut App, fx: &mut Fx) {
    let inc = match drill(app) {
        Ok(i) => i,
        Err(e) => return app.error(e),
    };
    if let Some((m, how)) = inc.exercise.as_ref().and_then(|x| x.injected.as_ref()) {
        let msg = format!(
            "already injected at {} UTC ({how})",
            crate::domain::time::utc_clock(m.at)
        );
        return app.info(msg);
    }
    fact(
        app,
        EventKind::Injected {
            how: "by hand (:inject)".into(),
        },
        "injected",
        None,
        fx,
    );
    app.info("fault injected: the RTO clock runs until recovery");
}

/// `:recovered`: the service works again; the RTO clock stops.
pub fn recovered(app: &mut App, fx: &mut Fx) {
    let inc = match drill(app) {
        Ok(i) => i,
        Err(e) => return app.error(e),
    };
    let Some(x) = inc.exercise.as_ref() else {
        return;
    };
    if x.injected.is_none() {
        return app.error("nothing was injected yet: the RTO clock has not started (:inject)");
    }
    if x.recovered.is_some() {
        return app.info("recovery is already recorded");
    }
    let rpo_query = x.plan.targets().and_then(|t| t.rpo_query.clone());
    fact(
        app,
        EventKind::Recovered {
            how: "by hand (:recovered)".into(),
        },
        "recovered",
        None,
        fx,
    );
    ask_rpo(app, rpo_query, fx);
}

fn ask_rpo(app: &mut App, query: Option<String>, fx: &mut Fx) {
    match query {
        Some(query) => fx.push(Effect::ExerciseQuery {
            ask: Ask::Rpo,
            query,
        }),
        None => app.info("recovered: the RTO clock stopped — record the data lost with :rpo 3s"),
    }
}

/// `:rpo 3s`: how much data was lost.
pub fn rpo(app: &mut App, lost: std::time::Duration, fx: &mut Fx) {
    if let Err(e) = drill(app) {
        return app.error(e);
    }
    let lost_ms = u64::try_from(lost.as_millis()).unwrap_or(u64::MAX);
    fact(
        app,
        EventKind::RpoMeasured {
            lost_ms,
            how: "by hand (:rpo)".into(),
        },
        &format!("rpo/{lost_ms}"),
        None,
        fx,
    );
    app.info(format!("data lost recorded: {}", ms_text(lost_ms)));
}

/// After the journal moved: an exercise counts as its runbook exercised
/// (the STALE banner goes); a step marked `inject: true` that was ticked or
/// run starts the RTO clock, dated when it was taken.
pub fn observe(app: &mut App, fx: &mut Fx) {
    if let Some(inc) = app.incident_state()
        && let Some(x) = inc
            .exercise
            .as_ref()
            .filter(|x| x.injected.is_some() || x.started.is_some())
    {
        let (runbook, at) = (x.plan.runbook().to_string(), inc.declared.at);
        let used = app.runbooks.history.used.entry(runbook).or_insert(at);
        *used = (*used).max(at);
    }
    let Ok(inc) = drill(app) else {
        return;
    };
    let Some(x) = inc.exercise.as_ref().filter(|x| x.injected.is_none()) else {
        return;
    };
    let Some(runbook) = app.runbooks.library.get(x.plan.runbook()) else {
        return;
    };
    let taken = app.incident.as_ref().and_then(|open| {
        open.events.iter().find_map(|e| {
            let (key, step) = match &e.kind {
                EventKind::StepDone { key, step, .. } => (key, step),
                EventKind::CommandStarted {
                    key, step, purpose, ..
                } if *purpose == crate::domain::incident::Purpose::Run => (key, step),
                _ => return None,
            };
            let found = match key {
                Some(k) => runbook.step_by_key(k),
                None => runbook.step(step),
            };
            found
                .filter(|(_, s)| s.injects())
                .map(|(_, s)| (s.id.clone(), e.effective()))
        })
    });
    if let Some((step, at)) = taken {
        fact(
            app,
            EventKind::Injected {
                how: format!("step {step}"),
            },
            "injected",
            Some(at),
            fx,
        );
    }
}

/// Once a second: an injected drill that has not recovered asks its
/// recovered query every [`RECOVERED_EVERY`].
pub fn check_queries(app: &mut App, fx: &mut Fx) {
    let Ok(inc) = drill(app) else {
        return;
    };
    let Some(x) = inc.exercise.as_ref() else {
        return;
    };
    if !inc.is_open() || x.injected.is_none() || x.recovered.is_some() {
        return;
    }
    let Some(query) = x.plan.targets().and_then(|t| t.recovered_query.clone()) else {
        return;
    };
    if app
        .watch
        .exercise_asked
        .is_some_and(|t| app.now < t + RECOVERED_EVERY)
    {
        return;
    }
    app.watch.exercise_asked = Some(app.now);
    fx.push(Effect::ExerciseQuery {
        ask: Ask::Recovered,
        query,
    });
}

/// An answer to one of a drill's queries.
pub fn on_answer(
    app: &mut App,
    ask: Ask,
    at: Timestamp,
    result: Result<Vec<(String, f64)>, String>,
    fx: &mut Fx,
) {
    match (ask, result) {
        (Ask::Recovered | Ask::Rpo, Err(e)) => {
            app.error(format!("drill query failed: {e}"));
        }
        (Ask::Recovered, Ok(series)) if !series.is_empty() => {
            let Ok(inc) = drill(app) else {
                return;
            };
            let x = inc.exercise.as_ref();
            if x.is_none_or(|x| x.recovered.is_some() || x.injected.is_none()) {
                return;
            }
            let rpo_query = x
                .and_then(|x| x.plan.targets())
                .and_then(|t| t.rpo_query.clone());
            fact(
                app,
                EventKind::Recovered {
                    how: "recovered_query answered".into(),
                },
                "recovered",
                Some(at),
                fx,
            );
            ask_rpo(app, rpo_query, fx);
        }
        (Ask::Recovered, Ok(_)) => {}
        (Ask::Rpo, Ok(series)) => {
            let lost = series
                .iter()
                .map(|(_, v)| *v)
                .filter(|v| v.is_finite())
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
            match lost {
                Some(secs) => {
                    let lost_ms = (secs.max(0.0) * 1000.0).round() as u64;
                    fact(
                        app,
                        EventKind::RpoMeasured {
                            lost_ms,
                            how: "rpo_query at recovery".into(),
                        },
                        "rpo",
                        Some(at),
                        fx,
                    );
                }
                None => {
                    app.error("the rpo query answered nothing: record the data lost with :rpo 3s")
                }
            }
        }
        (_, result) => super::gameday::on_answer(app, ask, at, result, fx),
    }
}

/// Resolving a drill scores it first: the numbers against the targets
/// frozen at the start and against every earlier drill of the runbook.
pub fn score_before_resolving(app: &mut App, fx: &mut Fx) {
    let Ok(inc) = drill(app) else {
        return;
    };
    let Some(x) = inc.exercise.as_ref().filter(|x| x.score.is_none()) else {
        return;
    };
    let Some(targets) = x.plan.targets().cloned() else {
        return;
    };
    let runbook = x.plan.runbook().to_string();
    let now = app.now;
    let score = DrillScore {
        targets,
        rto_ms: x.recovered.as_ref().and(x.rto_ms(now)),
        rpo_ms: x.rpo.as_ref().map(|(ms, _)| *ms),
        human_ms: x.human.total(now),
        slowest: x.human.slowest(3),
        history: app
            .runbooks
            .history
            .scores(&runbook, &inc.id, inc.declared.at),
    };
    let verdict = if score.passed() { "PASS" } else { "FAIL" };
    let lines: Vec<String> = score.rows().iter().map(|r| r.line()).collect();
    // The next drill in this cockpit compares with this one.
    let record = crate::domain::exercise::DrillRecord {
        id: inc.id.clone(),
        at: inc.declared.at,
        targets: Some(score.targets.clone()),
        score: Some(score.as_past(&inc.id, inc.declared.at)),
    };
    let drills = app.runbooks.history.drills.entry(runbook).or_default();
    drills.retain(|d| d.id != record.id);
    drills.push(record);
    fact(
        app,
        EventKind::DrillScored {
            score: Box::new(score),
        },
        "score",
        None,
        fx,
    );
    app.info(format!("drill {verdict}: {}", lines.join(" · ")));
}

/// Why an exercise may not end yet, if it may not: every exercise needs an
/// action item, even one that passed.
pub fn may_resolve(inc: &Incident) -> Result<(), String> {
    let Some(x) = inc.exercise.as_ref() else {
        return Ok(());
    };
    if x.started.is_some() && x.ended.is_none() {
        return Err("the experiment is running: wait for its window to end, or :abort".into());
    }
    if inc.actions.is_empty() {
        return Err(format!(
            "a {} ends with at least one action item, even when it passed (:action TEXT)",
            match x.plan.kind() {
                "drill" => "drill",
                _ => "game-day",
            }
        ));
    }
    Ok(())
}

/// The clocks of the open exercise in one line for the status bar:
/// `RTO 4m12s/30m · RPO — · human 2m11s`, or a game-day's window.
pub fn status_text(app: &App) -> Option<String> {
    let inc = app.incident_state()?;
    let x = inc.exercise.as_ref()?;
    if let Some(t) = x.plan.targets() {
        if let Some(score) = &x.score {
            let verdict = if score.passed() { "PASS" } else { "FAIL" };
            return Some(format!("scored {verdict}"));
        }
        let rto = match x.rto_ms(app.now) {
            None => "RTO waits for injection".to_string(),
            Some(ms) => format!("RTO {}/{}", ms_text(ms / 1000 * 1000), ms_text(t.rto_ms)),
        };
        let rpo = x.rpo.as_ref().map_or("RPO —".to_string(), |(ms, _)| {
            format!("RPO {}", ms_text(*ms))
        });
        let human = ms_text(x.human.total(app.now) / 1000 * 1000);
        return Some(format!("{rto} · {rpo} · human {human}"));
    }
    if let Some(e) = &x.ended {
        return Some(e.outcome.words().to_string());
    }
    let g = app.gameday.as_ref()?;
    Some(match (&g.phase, g.ends()) {
        (super::gameday::Phase::Running, Some(end)) => {
            let left = end.duration_since(app.now).as_secs().max(0) as u64;
            let n = g.samples.len();
            format!(
                "window {} left · abort query empty ({n} {})",
                ms_text(left * 1000),
                if n == 1 { "poll" } else { "polls" }
            )
        }
        (super::gameday::Phase::Judging, _) => "window over: checking the steady state".into(),
        (super::gameday::Phase::Applying, _) => "applying the fault…".into(),
        _ => return None,
    })
}

/// The open exercise's facts for the Incident panel, one line each.
pub fn panel_text(app: &App) -> Vec<String> {
    let Some(inc) = app.incident_state() else {
        return Vec::new();
    };
    let Some(x) = inc.exercise.as_ref() else {
        return Vec::new();
    };
    let clock = |m: &crate::domain::incident::Mark| crate::domain::time::utc_clock(m.at);
    let mut v = Vec::new();
    match &x.plan {
        Exercise::Drill {
            targets,
            hash,
            runbook,
            ..
        } => {
            v.push(format!(
                "DR DRILL of {runbook} (version {hash}) — targets frozen: RTO {}, RPO {}{}",
                ms_text(targets.rto_ms),
                ms_text(targets.rpo_ms),
                targets
                    .human_ms
                    .map(|h| format!(", human {}", ms_text(h)))
                    .unwrap_or_default()
            ));
            v.push(match &x.injected {
                Some((m, how)) => format!("injected {} UTC ({how})", clock(m)),
                None => "not injected yet: tick the inject step or :inject".into(),
            });
            v.push(match &x.recovered {
                Some((m, how)) => format!("recovered {} UTC ({how})", clock(m)),
                None => "not recovered yet (:recovered, or the recovered query)".into(),
            });
            match &x.score {
                Some(s) => {
                    v.extend(s.rows().iter().map(|r| r.line()));
                    for st in &s.slowest {
                        v.push(format!("slow: {} — {}", st.step, ms_text(st.human_ms)));
                    }
                }
                None => {
                    v.push(format!(
                        "RTO {} · RPO {} · human action time {}",
                        x.rto_ms(app.now)
                            .map_or("—".into(), |ms| ms_text(ms / 1000 * 1000)),
                        x.rpo.as_ref().map_or("—".into(), |(ms, _)| ms_text(*ms)),
                        ms_text(x.human.total(app.now) / 1000 * 1000)
                    ));
                }
            }
        }
        Exercise::Gameday(p) => {
            v.push(format!(
                "GAME-DAY {} — hypothesis: {}",
                p.name, p.hypothesis
            ));
            v.push(format!(
                "blast radius: {} {} · at most {} pod(s) for {} · context {}",
                p.namespace,
                p.selector,
                p.max_pods,
                ms_text(p.max_duration_ms),
                p.context
            ));
            v.push(format!("abort: {}", p.abort));
            if let Some(e) = &x.ended {
                v.push(format!("outcome: {} — {}", e.outcome.words(), e.why));
            } else if let Some(s) = status_text(app) {
                v.push(s);
            }
        }
    }
    v
}

/// When the open drill's runbook was edited and its targets now differ from
/// those frozen at the start: what to tell the responder (the drill keeps
/// its recorded targets; the edit counts from the next drill).
pub fn frozen_targets(app: &App, edited: &crate::domain::runbook::Runbook) -> Option<String> {
    let inc = app.incident_state().filter(|i| i.is_open())?;
    let x = inc.exercise.as_ref()?;
    let frozen = x.plan.targets()?;
    if x.plan.runbook() != edited.id {
        return None;
    }
    let now = match edited.drill_targets() {
        Some(Ok(t)) => t,
        Some(Err(problems)) => {
            return Some(format!(
                "drill targets edited and unreadable ({}); this drill keeps those recorded at its start",
                problems.join("; ")
            ));
        }
        None => {
            return Some(
                "the drill: targets were removed from the runbook; this drill keeps those recorded at its start"
                    .into(),
            );
        }
    };
    (now != *frozen).then(|| {
        format!(
            "drill targets changed in the file (now RTO {}, RPO {}): refused for this drill, whose targets stay frozen at RTO {}, RPO {} as recorded at its start; the edit applies from the next drill",
            ms_text(now.rto_ms),
            ms_text(now.rpo_ms),
            ms_text(frozen.rto_ms),
            ms_text(frozen.rpo_ms)
        )
    })
}
