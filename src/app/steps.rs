//! The Runbook pane's actions on steps: ticking behind gates, preparing a
//! step's commands to run (pick, confirm, danger typing, read-only refusal),
//! starting and stopping them, their output and results, and following
//! branches. Dialogs are asked for through [`Next`], never built here.

use std::time::Duration;

use super::keys::{self, Action};
use super::msg::{Effect, Fx, record};
use super::next::{GatePlan, Next, Open, RunPlan, StepIntent};
use super::state::{App, OUTPUT_LINES_KEPT, Pane, RunView};
use crate::domain::incident::{EventKind, Purpose, RunOutcome};
use crate::domain::placeholder::{Filled, Use, fill};
use crate::domain::runbook::Step;
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
    /// The step's command, its verify check or its rollback.
    pub purpose: Purpose,
    /// Exactly what runs.
    pub command: String,
    /// How long it may run.
    pub timeout: Duration,
}

/// The shell the shown runbook's commands run in: the runbook's own, else
/// the config's, else `/bin/sh`.
pub fn shell_for(app: &App) -> std::path::PathBuf {
    app.shown_runbook()
        .and_then(|rb| rb.meta.shell.clone())
        .map(std::path::PathBuf::from)
        .or_else(|| app.settings.shell.clone())
        .unwrap_or_else(|| std::path::PathBuf::from("/bin/sh"))
}

/// A command filled from the shown alert's labels for `sh -c`.
pub fn fill_command(app: &App, text: &str) -> Filled {
    let labels = app.shown_labels().cloned().unwrap_or_default();
    fill(
        text,
        &labels,
        Use::Shell {
            env: &|n| app.shell_has(n),
        },
    )
}

fn step_by_id(app: &App, id: &str) -> Option<Step> {
    app.shown_runbook()
        .and_then(|rb| rb.step(id))
        .map(|(_, s)| s.clone())
}

/// Space: tick the selected step, or untick it; ticking waits for its gate.
pub fn tick(app: &mut App, fx: &mut Fx) -> Next {
    let Some(inc) = app.incident_state().cloned() else {
        super::incident::require(app);
        return Next::Stay;
    };
    let Some(st) = app.selected_step().cloned() else {
        app.error("no step selected");
        return Next::Stay;
    };
    if inc.step_done(&st.id).is_some() {
        mark_step(app, &st, false, fx);
        return Next::Stay;
    }
    gate_then(app, &st, StepIntent::Tick, fx)
}

fn mark_step(app: &mut App, st: &Step, done: bool, fx: &mut Fx) {
    let Some((section, _)) = app.shown_runbook().and_then(|rb| rb.step(&st.id)) else {
        return;
    };
    let (step, section, text) = (st.id.clone(), section.heading.clone(), st.text.clone());
    let kind = if done {
        EventKind::StepDone {
            step,
            section,
            text,
        }
    } else {
        EventKind::StepUndone {
            step,
            section,
            text,
        }
    };
    record(app, kind, fx);
    if done {
        let count = app.shown_runbook().map_or(0, |r| r.steps().count());
        app.runbook
            .select((app.runbook.cursor + 1).min(count.saturating_sub(1)));
    }
}

/// `r`, `v`, `b`: run the selected step's command, verify check or rollback.
pub fn ask_run(app: &mut App, purpose: Purpose, fx: &mut Fx) -> Next {
    if app.incident_state().is_none() {
        let enter = keys::pane_key(Pane::Alerts, Action::Open);
        app.error(format!(
            "declare the incident first ({enter} on the alert), so every command run is recorded"
        ));
        return Next::Stay;
    }
    let Some(st) = app.selected_step().cloned() else {
        app.error("no step selected");
        return Next::Stay;
    };
    if app.running() {
        app.error(format!(
            "a command is still running: {} shows it, {} stops it",
            keys::pane_key(Pane::Runbook, Action::ShowOutput),
            keys::key(keys::Scope::Always, Action::Interrupt)
        ));
        return Next::Stay;
    }
    if let Some((line, msg)) = &st.contract_error {
        app.error(format!(
            "step {} is not run: its contract (line {line}) cannot be read: {msg}",
            st.id
        ));
        return Next::Stay;
    }
    let what = match purpose {
        Purpose::Run => "command",
        Purpose::Verify => "verify command",
        Purpose::Rollback => "rollback",
    };
    let has = match purpose {
        Purpose::Run => !st.commands.is_empty(),
        Purpose::Verify => st.contract.as_ref().is_some_and(|c| c.verify.is_some()),
        Purpose::Rollback => st.contract.as_ref().is_some_and(|c| c.rollback.is_some()),
    };
    if !has {
        app.error(format!("step {} has no {what}", st.id));
        return Next::Stay;
    }
    if app.settings.read_only && changes(&st, purpose) {
        app.error(format!(
            "read-only: step {} changes things, so its {what} is not run",
            st.id
        ));
        return Next::Stay;
    }
    gate_then(app, &st, StepIntent::Run(purpose), fx)
}

/// Whether running this command of the step changes things.
fn changes(st: &Step, purpose: Purpose) -> bool {
    match purpose {
        Purpose::Run => st.is_mutating(),
        Purpose::Verify => false,
        Purpose::Rollback => true,
    }
}

/// Asks about an unmet gate, or goes straight on. Verify checks and
/// rollbacks are never gated: checking and undoing are always allowed.
fn gate_then(app: &mut App, st: &Step, intent: StepIntent, fx: &mut Fx) -> Next {
    let gated = matches!(intent, StepIntent::Tick | StepIntent::Run(Purpose::Run));
    let missing = if gated {
        app.unmet_requires(st)
    } else {
        Vec::new()
    };
    if missing.is_empty() {
        proceed(app, st, intent, fx)
    } else {
        Open::Gate(GatePlan {
            step: st.id.clone(),
            missing,
            intent,
        })
        .into()
    }
}

/// `O` at a closed gate: the override is recorded, then the step goes on.
pub fn override_gate(app: &mut App, gate: &GatePlan, fx: &mut Fx) -> Next {
    let Some(st) = step_by_id(app, &gate.step) else {
        app.error("that step is no longer in the runbook");
        return Next::Close;
    };
    record(
        app,
        EventKind::GateOverridden {
            step: gate.step.clone(),
            missing: gate.missing.clone(),
        },
        fx,
    );
    app.info(format!(
        "gate of step {} overridden (recorded); not done: {}",
        gate.step,
        gate.missing.join(", ")
    ));
    match proceed(app, &st, gate.intent, fx) {
        Next::Stay => Next::Close,
        other => other,
    }
}

fn proceed(app: &mut App, st: &Step, intent: StepIntent, fx: &mut Fx) -> Next {
    let purpose = match intent {
        StepIntent::Tick => {
            mark_step(app, st, true, fx);
            return Next::Stay;
        }
        StepIntent::Run(p) => p,
    };
    let c = st.contract.clone().unwrap_or_default();
    let commands: Vec<String> = match purpose {
        Purpose::Run => st.commands.clone(),
        Purpose::Verify => c.verify.iter().cloned().collect(),
        Purpose::Rollback => c.rollback.iter().cloned().collect(),
    };
    match commands.as_slice() {
        [] => Next::Stay,
        [one] => plan(app, st, purpose, one).into(),
        many => Open::PickCommand {
            step: st.id.clone(),
            options: many.iter().map(|c| fill_command(app, c).text).collect(),
        }
        .into(),
    }
}

/// The `i`-th command of a step, picked from several, to confirm.
pub fn pick(app: &mut App, step: &str, i: usize) -> Next {
    let Some(st) = step_by_id(app, step) else {
        app.error("that step is no longer in the runbook");
        return Next::Close;
    };
    match st.commands.get(i) {
        Some(raw) => plan(app, &st, Purpose::Run, raw).into(),
        None => {
            app.error("no such command");
            Next::Close
        }
    }
}

/// The confirmation of one command of `st`.
fn plan(app: &App, st: &Step, purpose: Purpose, raw: &str) -> Open {
    let filled = fill_command(app, raw);
    let c = st.contract.clone().unwrap_or_default();
    let danger = (c.danger && purpose != Purpose::Verify).then(|| {
        let mut answers = vec![st.id.clone()];
        if let Some(r) = c
            .resource
            .as_deref()
            .and_then(|r| fill_command(app, r).ready())
        {
            answers.push(r);
        }
        answers
    });
    Open::ConfirmRun(RunPlan {
        step: st.id.clone(),
        purpose,
        template: raw.to_string(),
        command: filled.text,
        missing: filled.problems,
        notes: filled.notes,
        danger,
        mutating: changes(st, purpose),
        timeout: c.timeout.map_or(app.settings.command_timeout, |t| t.0),
        shell: shell_for(app).display().to_string(),
    })
}

/// Starts a confirmed command: recorded first, then run; the output panel
/// shows it.
pub fn start(app: &mut App, req: RunRequest, fx: &mut Fx) -> Next {
    let id = app.runs.next_id;
    app.runs.next_id += 1;
    record(
        app,
        EventKind::CommandStarted {
            step: req.step.clone(),
            command: req.command.clone(),
            purpose: req.purpose,
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
                step: run.step,
                command: run.command,
                purpose: run.purpose,
                outcome: RunOutcome::Cancelled,
                duration_ms: ran,
                output,
                omitted,
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

/// `y`: the selected step's commands onto the clipboard, exactly as the
/// pane shows them: values filled and quoted, secrets masked unless this
/// terminal asked to see them.
pub fn copy_command(app: &mut App, fx: &mut Fx) {
    let Some(st) = app.selected_step().cloned() else {
        app.error("no step selected");
        return;
    };
    if st.commands.is_empty() {
        app.info("this step has no command to copy");
        return;
    }
    let mut gaps = Vec::new();
    let mut masked = false;
    let mut lines = Vec::new();
    for command in &st.commands {
        let filled = fill_command(app, command);
        gaps.extend(filled.missing.iter().cloned());
        let shown = crate::domain::redact::mask(&filled.text, app.reveal);
        masked |= shown != filled.text;
        lines.push(crate::sanitize::multiline(&shown).into_owned());
    }
    fx.push(Effect::Copy(lines.join("\n")));
    let what = if lines.len() == 1 {
        "the command".to_string()
    } else {
        format!("{} commands", lines.len())
    };
    let mut text = format!("copied {what} to the clipboard");
    if !gaps.is_empty() {
        text.push_str(&format!(" with {} still to fill", gaps.join(", ")));
    }
    if masked {
        text.push_str("; secrets masked (:reveal to copy them)");
    }
    app.info(text);
}

/// `b` in the output panel: the rollback of the step whose command ended.
pub fn rollback_latest(app: &mut App, fx: &mut Fx) -> Next {
    let Some(step) = app
        .runs
        .latest
        .as_ref()
        .filter(|r| r.outcome.is_some())
        .map(|r| r.step.clone())
    else {
        return Next::Stay;
    };
    if let Some(pos) = app.shown_runbook().and_then(|rb| rb.position(&step)) {
        app.runbook.select(pos);
    }
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
                step: run.step.clone(),
                command: run.command.clone(),
                purpose: run.purpose,
                outcome: outcome.clone(),
                duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
                output,
                omitted,
            },
            fx,
        );
    }
    let took = crate::domain::time::short_duration(duration);
    let rollback = step_by_id(app, &run.step)
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
                },
                fx,
            );
            app.info(format!("step {} verified ({took})", run.step));
        }
        (o, _) if o.is_success() => {
            app.info(format!("step {}: exit 0 in {took}", run.step));
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

/// Enter in the Runbook pane: follow the selected step's branch.
pub fn follow_branch(app: &mut App, fx: &mut Fx) -> Next {
    let Some(rb) = app.shown_runbook() else {
        return Next::Stay;
    };
    let Some((_, st)) = rb.steps().nth(app.runbook.cursor) else {
        app.error("no step selected");
        return Next::Stay;
    };
    let options: Vec<(String, String)> = st
        .branches
        .iter()
        .filter_map(|b| {
            rb.branch_target(st, &b.target)
                .map(|t| (b.label.clone(), t.id.clone()))
        })
        .collect();
    let from = st.id.clone();
    let dead = st.branches.len() - options.len();
    match options.as_slice() {
        [] if dead > 0 => app.error(format!(
            "step {from}: its branch leads to a step that does not exist (warroom lint says which)"
        )),
        [] => app.info(format!(
            "step {from} has no branch to follow ({} ticks, {} runs its command)",
            keys::pane_key(Pane::Runbook, Action::ToggleStep),
            keys::pane_key(Pane::Runbook, Action::RunStep)
        )),
        [(label, to)] => {
            let (label, to) = (label.clone(), to.clone());
            jump(app, from, label, to, fx);
        }
        _ => return Open::PickBranch { from, options }.into(),
    }
    Next::Stay
}

/// Moves to the branch's target step, recorded when an incident is open.
pub fn jump(app: &mut App, from: String, label: String, to: String, fx: &mut Fx) {
    if let Some(pos) = app.shown_runbook().and_then(|rb| rb.position(&to)) {
        app.runbook.select(pos);
    }
    if app.incident_state().is_some() {
        record(app, EventKind::BranchTaken { from, to, label }, fx);
    } else {
        app.info(format!("went to step {to}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_output_keeps_the_end_within_bounds() {
        let mut run = RunView {
            id: 1,
            step: "s".into(),
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
