//! Runbook commands once confirmed: starting them (recorded first),
//! stopping them, their output and how they ended, and the rollback offered
//! when one fails.

use std::time::Duration;

use super::keys::{self, Action};
use super::msg::{Effect, Fx, record};
use super::next::{Next, Open};
use super::state::{App, OUTPUT_LINES_KEPT, Pane, RunView};
use super::steps::{ask_run, shell_for, step_at};
use crate::domain::incident::{EventKind, Purpose, RunOutcome, StepAt};
use crate::exec::{RunReport, RunSpec};

/// Output lines kept in the journal for one command; the panel keeps more.
pub const JOURNAL_OUTPUT_LINES: usize = 40;
/// Characters of output kept in the journal for one command.
pub const JOURNAL_OUTPUT_CHARS: usize = 4000;

/// A confirmed command, ready to start.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRequest {
    /// The step it belongs to.
    pub step: String,
    /// Where its progress is recorded.
    pub at: StepAt,
    /// The runbook's own command, when the responder edited it.
    pub original: Option<String>,
    /// The step's command, its verify check or its rollback.
    pub purpose: Purpose,
    /// Exactly what runs.
    pub command: String,
    /// How long it may run.
    pub timeout: Duration,
}

/// Starts a confirmed command: recorded first, then run; the output panel
/// shows it.
pub fn start(app: &mut App, req: RunRequest, fx: &mut Fx) -> Next {
    let id = app.runs.next_id;
    app.runs.next_id += 1;
    record(
        app,
        EventKind::CommandStarted {
            original: req.original.clone(),
            step: req.step.clone(),
            command: req.command.clone(),
            purpose: req.purpose,
            runbook: Some(req.at.runbook.clone()),
            key: Some(req.at.key.clone()),
        },
        fx,
    );
    let incident = app
        .incident
        .as_ref()
        .map(|i| i.id.clone())
        .unwrap_or_default();
    fx.push(Effect::Run(RunSpec {
        id,
        command: req.command.clone(),
        timeout: req.timeout,
        shell: Some(shell_for(app)),
        env: vec![
            ("WARROOM_INCIDENT".into(), incident),
            ("WARROOM_STEP".into(), req.step.clone()),
            ("WARROOM_AUTHOR".into(), app.settings.author.clone()),
        ],
    }));
    app.runs.latest = Some(RunView {
        id,
        step: req.step,
        at: req.at,
        original: req.original,
        purpose: req.purpose,
        command: req.command,
        started: app.now,
        lines: Default::default(),
        dropped: 0,
        outcome: None,
        scroll: 0,
    });
    Open::Output.into()
}

/// Quitting while a command runs: stop it, and record its end now, as the
/// cockpit will not be there to hear it.
pub fn stop_for_quit(app: &mut App, fx: &mut Fx) {
    let Some(run) = app.runs.latest.clone().filter(|r| r.outcome.is_none()) else {
        return;
    };
    fx.push(Effect::CancelRun(run.id));
    let (output, omitted) = journal_output(&run);
    let ran = app.now.duration_since(run.started).as_millis().max(0);
    let ran = u64::try_from(ran).unwrap_or(0);
    // Recorded here, once: the runner's own report of the stop is ignored.
    if let Some(r) = app.runs.latest.as_mut() {
        r.outcome = Some((RunOutcome::Cancelled, Duration::from_millis(ran)));
    }
    if app.incident_state().is_some() {
        record(
            app,
            EventKind::CommandFinished {
                original: run.original,
                step: run.step,
                command: run.command,
                purpose: run.purpose,
                outcome: RunOutcome::Cancelled,
                duration_ms: ran,
                output,
                omitted,
                runbook: Some(run.at.runbook),
                key: Some(run.at.key),
            },
            fx,
        );
    }
}

/// Ctrl-C while a command runs: stop it (never the cockpit). False when
/// nothing runs.
pub fn cancel(app: &mut App, fx: &mut Fx) -> bool {
    match app.runs.latest.as_ref().filter(|r| r.outcome.is_none()) {
        Some(r) => {
            fx.push(Effect::CancelRun(r.id));
            app.info("stopping the command…");
            true
        }
        None => false,
    }
}

/// `o`: the output panel of the latest command.
pub fn show_output(app: &mut App) -> Next {
    if app.runs.latest.is_some() {
        Open::Output.into()
    } else {
        app.info(format!(
            "no command has run yet: {} runs the selected step's command",
            keys::pane_key(Pane::Runbook, Action::RunStep)
        ));
        Next::Stay
    }
}

/// `b` in the output panel: the rollback of the step whose command ended.
pub fn rollback_latest(app: &mut App, fx: &mut Fx) -> Next {
    let Some(at) = app
        .runs
        .latest
        .as_ref()
        .filter(|r| r.outcome.is_some())
        .map(|r| r.at.clone())
    else {
        return Next::Stay;
    };
    let pos = app
        .shown_runbook()
        .filter(|rb| rb.id == at.runbook)
        .and_then(|rb| rb.steps().position(|(_, s)| s.key == at.key));
    let Some(pos) = pos else {
        app.error(format!(
            "that command's step is not in the runbook shown: show {} first",
            at.runbook
        ));
        return Next::Close;
    };
    app.runbook.select(pos);
    match ask_run(app, Purpose::Rollback, fx) {
        Next::Stay => Next::Close,
        other => other,
    }
}

/// Output and the end of a run, from the runner.
pub fn on_run_report(app: &mut App, report: RunReport, fx: &mut Fx) {
    match report {
        RunReport::Output { id, lines } => {
            if let Some(run) = app.runs.latest.as_mut().filter(|r| r.id == id) {
                let added = lines.len();
                run.lines.extend(lines);
                let excess = run.lines.len().saturating_sub(OUTPUT_LINES_KEPT);
                run.lines.drain(..excess);
                run.dropped += excess;
                if run.scroll > 0 {
                    run.scroll = (run.scroll + added).min(run.lines.len());
                }
            }
        }
        RunReport::Finished {
            id,
            outcome,
            duration,
        } => on_run_finished(app, id, outcome, duration, fx),
    }
}

fn on_run_finished(app: &mut App, id: u64, outcome: RunOutcome, duration: Duration, fx: &mut Fx) {
    // A run already ended (stopped for quitting) is not ended twice.
    let Some(run) = app
        .runs
        .latest
        .as_mut()
        .filter(|r| r.id == id && r.outcome.is_none())
    else {
        return;
    };
    run.outcome = Some((outcome.clone(), duration));
    let run = run.clone();
    let (output, omitted) = journal_output(&run);
    if app.incident_state().is_some() {
        record(
            app,
            EventKind::CommandFinished {
                original: run.original.clone(),
                step: run.step.clone(),
                command: run.command.clone(),
                purpose: run.purpose,
                outcome: outcome.clone(),
                duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
                output,
                omitted,
                runbook: Some(run.at.runbook.clone()),
                key: Some(run.at.key.clone()),
            },
            fx,
        );
    }
    let took = crate::domain::time::short_duration(duration);
    let rollback = step_at(app, &run.at)
        .and_then(|s| s.contract)
        .and_then(|c| c.rollback)
        .is_some();
    match (&outcome, run.purpose) {
        (o, Purpose::Verify) if o.is_success() => {
            record(
                app,
                EventKind::StepVerified {
                    step: run.step.clone(),
                    how: "its verify command exited 0".into(),
                    runbook: Some(run.at.runbook.clone()),
                    key: Some(run.at.key.clone()),
                },
                fx,
            );
            app.info(format!("step {} verified ({took})", run.step));
        }
        (o, _) if o.is_success() => {
            app.info(format!("step {}: {} in {took}", run.step, o.describe()));
        }
        (o, Purpose::Run) if rollback => app.error(format!(
            "step {}: {} after {took}: {} runs its rollback",
            run.step,
            o.describe(),
            keys::pane_key(Pane::Runbook, Action::RollbackStep)
        )),
        (o, _) => app.error(format!("step {}: {} after {took}", run.step, o.describe())),
    }
}

/// The end of the output for the journal: at most [`JOURNAL_OUTPUT_LINES`]
/// lines and [`JOURNAL_OUTPUT_CHARS`] characters, and how many lines were left out.
pub fn journal_output(run: &RunView) -> (String, usize) {
    let mut kept: Vec<&str> = Vec::new();
    let mut chars = 0;
    for l in run.lines.iter().rev().take(JOURNAL_OUTPUT_LINES) {
        let n = l.chars().count() + 1;
        if chars + n > JOURNAL_OUTPUT_CHARS {
            break;
        }
        chars += n;
        kept.push(l);
    }
    kept.reverse();
    let total = run.dropped + run.lines.len();
    (kept.join("\n"), total - kept.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_output_keeps_the_end_within_bounds() {
        let mut run = RunView {
            id: 1,
            step: "s".into(),
            at: StepAt {
                runbook: "r".into(),
                key: "k".into(),
            },
            original: None,
            purpose: Purpose::Run,
            command: "c".into(),
            started: jiff::Timestamp::UNIX_EPOCH,
            lines: (1..=100).map(|i| format!("line {i}")).collect(),
            dropped: 900,
            outcome: Some((RunOutcome::Exited(0), Duration::ZERO)),
            scroll: 0,
        };
        let (out, omitted) = journal_output(&run);
        assert_eq!(out.lines().count(), JOURNAL_OUTPUT_LINES);
        assert!(out.ends_with("line 100"));
        assert_eq!(omitted, 1000 - JOURNAL_OUTPUT_LINES);
        run.lines = vec!["x".repeat(3000), "y".repeat(3000)].into();
        let (out, omitted) = journal_output(&run);
        assert_eq!(out, "y".repeat(3000));
        assert_eq!(omitted, 901);
    }
}
