//! The Runbook pane's actions on steps: ticking behind gates, preparing a
//! step's commands to run (pick, confirm, danger typing, read-only refusal),
//! copying them, and following branches; running them is [`super::runs`].
//! Dialogs are asked for through [`Next`], never built here.

use super::keys::{self, Action};
use super::msg::{Effect, Fx, record};
use super::next::{GatePlan, Next, Open, RunPlan, StepIntent, UntickAsk};
use super::state::{App, Pane, RunView};
use crate::domain::incident::{EventKind, Purpose, StepAt};
use crate::domain::placeholder::{Filled, Use, fill};
use crate::domain::runbook::Step;

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

/// The step at `at`, as its runbook reads now (found by key, so an edit
/// elsewhere in the file does not lose it).
pub(super) fn step_at(app: &App, at: &StepAt) -> Option<Step> {
    app.runbooks
        .library
        .get(&at.runbook)
        .and_then(|rb| rb.step_by_key(&at.key))
        .map(|(_, s)| s.clone())
}

/// Where progress on a step of the shown runbook is recorded.
fn here(app: &App, st: &Step) -> StepAt {
    StepAt::of(app.shown_runbook().map_or("", |r| r.id.as_str()), st)
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
    if let Some(mark) = inc.step_done(&here(app, &st).runbook, &st) {
        // Another responder's tick is their record of what they did: taken
        // back only when asked, decided by who ticked it, not by how long ago.
        if mark.by != app.settings.author {
            let n = app.runbook.cursor + 1;
            return Open::ConfirmUntick(Box::new(UntickAsk {
                at: here(app, &st),
                label: format!("step {n}: {}", st.text),
                by: mark.by.clone(),
                when: mark.at,
            }))
            .into();
        }
        mark_step(app, &st, false, fx);
        return Next::Stay;
    }
    gate_then(app, &st, StepIntent::Tick, fx)
}

/// `y` on "untick?": the step is unticked if it is still shown and still
/// ticked.
pub fn untick_confirmed(app: &mut App, ask: &UntickAsk, fx: &mut Fx) {
    let shown = app.shown_runbook().map(|r| r.id.clone());
    let step = step_at(app, &ask.at);
    match (shown, step) {
        (Some(rb), Some(st)) if rb == ask.at.runbook => {
            let still = app
                .incident_state()
                .is_some_and(|inc| inc.step_done(&rb, &st).is_some());
            if still {
                mark_step(app, &st, false, fx);
            } else {
                app.info("it was unticked meanwhile");
            }
        }
        _ => app.error("that step is no longer shown: nothing unticked"),
    }
}

fn mark_step(app: &mut App, st: &Step, done: bool, fx: &mut Fx) {
    let Some((section, _)) = app.shown_runbook().and_then(|rb| rb.step_by_key(&st.key)) else {
        return;
    };
    // Recorded as shown: placeholders filled from the alert's labels.
    let labels = app.shown_labels().cloned().unwrap_or_default();
    let text = crate::domain::placeholder::fill_string(&st.text, &labels);
    let (step, section) = (st.id.clone(), section.heading.clone());
    let version = app.shown_runbook().map(|r| r.version.clone());
    let at = here(app, st);
    let (runbook, key) = (Some(at.runbook), Some(at.key));
    let kind = if done {
        EventKind::StepDone {
            version,
            step,
            section,
            text,
            runbook,
            key,
        }
    } else {
        EventKind::StepUndone {
            version,
            step,
            section,
            text,
            runbook,
            key,
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
    // What runs is recorded; where nothing can be, nothing runs.
    if let Err(e) = super::incident::journal_gone(app) {
        app.error(e);
        return Next::Stay;
    }
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
    // A step with PromQL and no command runs its query.
    let purpose = if purpose == Purpose::Run && st.commands.is_empty() && !st.queries.is_empty() {
        Purpose::Query
    } else {
        purpose
    };
    let what = match purpose {
        Purpose::Run => "command",
        Purpose::Verify => "verify command",
        Purpose::Rollback => "rollback",
        Purpose::Query => "query",
    };
    let has = match purpose {
        Purpose::Run => !st.commands.is_empty(),
        Purpose::Verify => st.contract.as_ref().is_some_and(|c| c.verify.is_some()),
        Purpose::Rollback => st.contract.as_ref().is_some_and(|c| c.rollback.is_some()),
        Purpose::Query => !st.queries.is_empty(),
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
        Purpose::Verify | Purpose::Query => false,
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
            at: here(app, st),
            missing,
            intent,
        })
        .into()
    }
}

/// `O` at a closed gate: the override is recorded, then the step goes on.
pub fn override_gate(app: &mut App, gate: &GatePlan, fx: &mut Fx) -> Next {
    let Some(st) = step_at(app, &gate.at) else {
        app.error("that step is no longer in the runbook");
        return Next::Close;
    };
    record(
        app,
        EventKind::GateOverridden {
            step: gate.step.clone(),
            missing: gate.missing.clone(),
            runbook: Some(gate.at.runbook.clone()),
            key: Some(gate.at.key.clone()),
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
        Purpose::Query => st.queries.clone(),
    };
    match (commands.as_slice(), purpose) {
        ([], _) => Next::Stay,
        ([one], Purpose::Query) => start_query(app, st, here(app, st), one, fx),
        ([one], _) => plan(app, st, purpose, one).into(),
        (many, _) => Open::PickCommand {
            step: st.id.clone(),
            at: here(app, st),
            options: many
                .iter()
                .map(|c| match purpose {
                    Purpose::Query => {
                        crate::domain::placeholder::fill(
                            c,
                            &app.shown_labels().cloned().unwrap_or_default(),
                            Use::Query,
                        )
                        .text
                    }
                    _ => fill_command(app, c).text,
                })
                .collect(),
            query: purpose == Purpose::Query,
        }
        .into(),
    }
}

/// The `i`-th command of a step, picked from several, to confirm.
pub fn pick(app: &mut App, at: &StepAt, i: usize, fx: &mut Fx) -> Next {
    let Some(st) = step_at(app, at) else {
        app.error("that step is no longer in the runbook");
        return Next::Close;
    };
    // A step's queries are offered when it has no command.
    if st.commands.is_empty()
        && let Some(q) = st.queries.get(i).cloned()
    {
        return start_query(app, &st, at.clone(), &q, fx);
    }
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
    Open::ConfirmRun(Box::new(RunPlan {
        step: st.id.clone(),
        at: here(app, st),
        purpose,
        template: raw.to_string(),
        command: filled.text,
        missing: filled.problems,
        notes: filled.notes,
        danger,
        mutating: changes(st, purpose),
        timeout: c.timeout.map_or(app.settings.command_timeout, |t| t.0),
        shell: shell_for(app).display().to_string(),
    }))
}

/// `r` on a step whose words are a PromQL query: asked of Prometheus (never
/// a shell), values filled as PromQL literals; recorded like a command, and
/// answered in the output panel with each series' value and shape.
pub fn start_query(app: &mut App, st: &Step, at: StepAt, raw: &str, fx: &mut Fx) -> Next {
    if app.running() {
        app.error("a command is still running: wait for it or stop it first");
        return Next::Stay;
    }
    let labels = app.shown_labels().cloned().unwrap_or_default();
    let filled = fill(raw, &labels, Use::Query);
    if !filled.is_ready() {
        app.error(format!(
            "step {}: query not asked: {}",
            st.id,
            filled.problems.join("; ")
        ));
        return Next::Stay;
    }
    let id = app.runs.next_id;
    app.runs.next_id += 1;
    record(
        app,
        EventKind::CommandStarted {
            original: None,
            step: st.id.clone(),
            command: filled.text.clone(),
            purpose: Purpose::Query,
            runbook: Some(at.runbook.clone()),
            key: Some(at.key.clone()),
        },
        fx,
    );
    fx.push(Effect::RunQuery {
        id,
        query: filled.text.clone(),
    });
    app.runs.latest = Some(RunView {
        id,
        step: st.id.clone(),
        at,
        original: None,
        purpose: Purpose::Query,
        command: filled.text,
        started: app.now,
        lines: Default::default(),
        dropped: 0,
        outcome: None,
        scroll: 0,
    });
    Open::Output.into()
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

/// Enter in the Runbook pane: follow the selected step's branch.
pub fn follow_branch(app: &mut App, fx: &mut Fx) -> Next {
    // On a preview (no incident yet), Enter declares for the selected alert,
    // as it does in the Alerts pane.
    if app.incident.is_none() {
        super::incident::declare_selected(app, fx);
        return Next::Stay;
    }
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
