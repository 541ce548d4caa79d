//! The Runbook pane's part of the reducer: ticking behind gates, running a
//! step's commands (pick, confirm, danger typing, read-only refusal), the
//! output panel, rollback, verify checks and queries, and following branches.

use std::collections::BTreeMap;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::state::{
    App, BranchPick, CommandPick, GateDraft, Mode, OUTPUT_LINES_KEPT, QueryCheck, RunDraft,
    RunView, StepIntent,
};
use super::update::{Effect, record};
use crate::domain::incident::{EventKind, Purpose, RunOutcome};
use crate::domain::placeholder::{Seg, fill};
use crate::domain::runbook::Step;
use crate::exec::{RunReport, RunSpec};

/// Output lines kept in the journal for one command; the panel keeps more.
pub const JOURNAL_OUTPUT_LINES: usize = 40;
/// Characters of output kept in the journal for one command.
pub const JOURNAL_OUTPUT_CHARS: usize = 4000;
/// How often a step's `verify_query` is asked while it is not yet met.
pub const QUERY_EVERY: Duration = Duration::from_secs(15);

/// A step's text with placeholders filled, and what stops it being run as
/// is: placeholders no label fills, and label values the shell would
/// interpret (a hostile `namespace="x; rm -rf ~"` must never reach `sh -c`).
/// A `$name` the command sets itself (`for p in …`, `p=…`, `read p`) is the
/// shell's own variable, not a gap. Queries (`for_shell` false) only care
/// about gaps.
fn fill_checked(
    text: &str,
    labels: &BTreeMap<String, String>,
    for_shell: bool,
) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut problems: Vec<String> = Vec::new();
    let mut note = |p: String| {
        if !problems.contains(&p) {
            problems.push(p);
        }
    };
    let placeholders = crate::domain::placeholder::scan(text);
    let mut next = placeholders.iter();
    for seg in fill(text, labels) {
        match seg {
            Seg::Text(t) => out.push_str(t),
            Seg::Filled(v) => {
                let raw = next
                    .find(|p| crate::domain::placeholder::lookup(labels, p.name).is_some())
                    .map_or("a placeholder", |p| &text[p.start..p.end]);
                if for_shell && !shell_safe(&v) {
                    note(format!(
                        "{raw} is {:?}, which the shell would interpret",
                        crate::sanitize::line(&v)
                    ));
                }
                out.push_str(&v);
            }
            Seg::Missing(m) => {
                out.push_str(m);
                if !shell_sets(text, m) {
                    note(format!("no alert label fills {m}"));
                }
            }
        }
    }
    if for_shell {
        // `kubectl -n <my-namespace> get pvc <my-pvc>`: words to replace by
        // hand; the shell would read them as redirections.
        for hole in angle_holes(&out) {
            note(format!("replace {hole} with a real value"));
        }
    }
    (out, problems)
}

/// `<my-namespace>`-style blanks in a command.
fn angle_holes(command: &str) -> Vec<String> {
    static HOLE: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"<[A-Za-z][A-Za-z0-9_.-]*>").ok());
    HOLE.as_ref().map_or_else(Vec::new, |re| {
        re.find_iter(command)
            .map(|m| m.as_str().to_string())
            .collect()
    })
}

fn fill_command(text: &str, labels: &BTreeMap<String, String>) -> (String, Vec<String>) {
    fill_checked(text, labels, true)
}

/// Label values that are plain words to a shell: names, numbers, paths,
/// versions, selectors.
fn shell_safe(v: &str) -> bool {
    !v.is_empty()
        && v.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '-' | '_' | '.' | ':' | '/' | '=' | '@' | '%' | '+' | ',' | '~' | '^'
                )
        })
}

/// Whether the command itself gives the `$var` a value.
fn shell_sets(command: &str, placeholder: &str) -> bool {
    let Some(name) = placeholder
        .strip_prefix("${")
        .and_then(|n| n.strip_suffix('}'))
        .or_else(|| placeholder.strip_prefix('$'))
    else {
        return false; // `{{ $labels.x }}` is always the alert's
    };
    // The cockpit sets WARROOM_*; the user's own environment (HOME,
    // KUBECONFIG) is what the shell would use by hand too.
    if name.starts_with("WARROOM_") || std::env::var_os(name).is_some() {
        return true;
    }
    let words: Vec<&str> = command
        .split(|c: char| c.is_whitespace() || c == ';' || c == '(' || c == '&' || c == '|')
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).any(|w| {
        (matches!(w[0], "for" | "read" | "select") && w[1] == name)
            || (w[0] == "read" && w[1].starts_with('-'))
    }) || words.iter().any(|w| {
        w.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('='))
            || w.strip_prefix("export ")
                .is_some_and(|r| r.starts_with(name))
    })
}

impl App {
    /// The step under the cursor in the shown runbook.
    pub fn selected_step(&self) -> Option<&Step> {
        self.shown_runbook()
            .and_then(|rb| rb.steps().nth(self.step_cursor))
            .map(|(_, s)| s)
    }

    /// Required steps of `step` that are not done, unless its gate was
    /// overridden already.
    pub fn unmet_requires(&self, step: &Step) -> Vec<String> {
        let Some(inc) = self.incident_state() else {
            return step.requires().to_vec();
        };
        if inc.overridden.contains_key(&step.id) {
            return Vec::new();
        }
        step.requires()
            .iter()
            .filter(|r| inc.step_done(r).is_none())
            .cloned()
            .collect()
    }

    /// Whether a command is running now.
    pub fn running(&self) -> bool {
        self.run.as_ref().is_some_and(|r| r.outcome.is_none())
    }
}

fn step_by_id(app: &App, id: &str) -> Option<Step> {
    app.shown_runbook()
        .and_then(|rb| rb.step(id))
        .map(|(_, s)| s.clone())
}

/// Space: tick the selected step, or untick it; ticking waits for its gate.
pub(super) fn tick(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(inc) = app.incident_state().cloned() else {
        return app.error("no incident open: select an alert and press Enter to declare one");
    };
    let Some(st) = app.selected_step().cloned() else {
        return app.error("no step selected");
    };
    if inc.step_done(&st.id).is_some() {
        return mark_step(app, &st, false, fx);
    }
    gate_then(app, &st, StepIntent::Tick, fx);
}

fn mark_step(app: &mut App, st: &Step, done: bool, fx: &mut Vec<Effect>) {
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
        app.step_cursor = (app.step_cursor + 1).min(count.saturating_sub(1));
    }
}

/// `r`, `v`, `b`: run the selected step's command, verify check or rollback.
pub(super) fn ask_run(app: &mut App, purpose: Purpose, fx: &mut Vec<Effect>) {
    if app.incident_state().is_none() {
        return app.error(
            "declare the incident first (Enter on the alert), so every command run is recorded",
        );
    }
    let Some(st) = app.selected_step().cloned() else {
        return app.error("no step selected");
    };
    if app.running() {
        return app.error("a command is still running: o shows it, Ctrl-C stops it");
    }
    if let Some((line, msg)) = &st.contract_error {
        return app.error(format!(
            "step {} is not run: its contract (line {line}) cannot be read: {msg}",
            st.id
        ));
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
        return app.error(format!("step {} has no {what}", st.id));
    }
    let changes = match purpose {
        Purpose::Run => st.is_mutating(),
        Purpose::Verify => false,
        Purpose::Rollback => true,
    };
    if app.read_only && changes {
        return app.error(format!(
            "read-only: step {} changes things, so its {what} is not run",
            st.id
        ));
    }
    gate_then(app, &st, StepIntent::Run(purpose), fx);
}

/// Asks about an unmet gate, or goes straight on. Verify checks and
/// rollbacks are never gated: checking and undoing are always allowed.
fn gate_then(app: &mut App, st: &Step, intent: StepIntent, fx: &mut Vec<Effect>) {
    let gated = matches!(intent, StepIntent::Tick | StepIntent::Run(Purpose::Run));
    let missing = if gated {
        app.unmet_requires(st)
    } else {
        Vec::new()
    };
    if missing.is_empty() {
        proceed(app, st, intent, fx);
    } else {
        app.mode = Mode::Gate(Box::new(GateDraft {
            step: st.id.clone(),
            missing,
            intent,
        }));
    }
}

fn proceed(app: &mut App, st: &Step, intent: StepIntent, fx: &mut Vec<Effect>) {
    let purpose = match intent {
        StepIntent::Tick => return mark_step(app, st, true, fx),
        StepIntent::Run(p) => p,
    };
    let labels = app.shown_labels().cloned().unwrap_or_default();
    let c = st.contract.clone().unwrap_or_default();
    let commands: Vec<String> = match purpose {
        Purpose::Run => st.commands.clone(),
        Purpose::Verify => c.verify.iter().cloned().collect(),
        Purpose::Rollback => c.rollback.iter().cloned().collect(),
    };
    if commands.len() > 1 {
        app.mode = Mode::PickCommand(Box::new(CommandPick {
            step: st.id.clone(),
            options: commands
                .iter()
                .map(|c| fill_command(c, &labels).0)
                .collect(),
            cursor: 0,
        }));
        return;
    }
    if let Some(cmd) = commands.first() {
        confirm(app, st, purpose, cmd);
    }
}

/// Shows the confirmation for one command of `st`.
fn confirm(app: &mut App, st: &Step, purpose: Purpose, raw: &str) {
    let labels = app.shown_labels().cloned().unwrap_or_default();
    let (command, missing) = fill_command(raw, &labels);
    let c = st.contract.clone().unwrap_or_default();
    let danger = (c.danger && purpose != Purpose::Verify).then(|| {
        let mut answers = vec![st.id.clone()];
        if let Some(r) = &c.resource {
            let (r, m) = fill_command(r, &labels);
            if m.is_empty() {
                answers.push(r);
            }
        }
        answers
    });
    let input = answer_input(danger.is_some());
    app.mode = Mode::ConfirmRun(Box::new(RunDraft {
        step: st.id.clone(),
        purpose,
        command,
        missing,
        danger,
        input,
        editing: false,
        mutating: match purpose {
            Purpose::Run => st.is_mutating(),
            Purpose::Verify => false,
            Purpose::Rollback => true,
        },
        timeout: c.timeout.map_or(app.command_timeout, |t| t.0),
        error: None,
    }));
}

/// The field a dangerous step's name is typed into.
fn answer_input(danger: bool) -> TextArea<'static> {
    let mut input = TextArea::default();
    if danger {
        input.set_placeholder_text("type the step id or resource name, then Enter");
    }
    input
}

pub(super) fn on_gate_key(app: &mut App, key: KeyEvent, gate: GateDraft, fx: &mut Vec<Effect>) {
    match key.code {
        KeyCode::Char('O') => {
            let Some(st) = step_by_id(app, &gate.step) else {
                return app.error("that step is no longer in the runbook");
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
            proceed(app, &st, gate.intent, fx);
        }
        _ => app.info(format!(
            "step {} left alone: do {} first",
            gate.step,
            gate.missing.join(", ")
        )),
    }
}

pub(super) fn on_pick_key(app: &mut App, key: KeyEvent, mut pick: CommandPick) {
    let choose = |app: &mut App, i: usize, pick: &CommandPick| {
        let Some(st) = step_by_id(app, &pick.step) else {
            return app.error("that step is no longer in the runbook");
        };
        match st.commands.get(i) {
            Some(raw) => confirm(app, &st, Purpose::Run, &raw.clone()),
            None => app.error("no such command"),
        }
    };
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => {}
        KeyCode::Char('j') | KeyCode::Down => {
            pick.cursor = (pick.cursor + 1).min(pick.options.len().saturating_sub(1));
            app.mode = Mode::PickCommand(Box::new(pick));
        }
        KeyCode::Char('k') | KeyCode::Up => {
            pick.cursor = pick.cursor.saturating_sub(1);
            app.mode = Mode::PickCommand(Box::new(pick));
        }
        KeyCode::Enter => choose(app, pick.cursor, &pick),
        KeyCode::Char(c @ '1'..='9') => {
            let i = (c as usize) - ('1' as usize);
            if i < pick.options.len() {
                choose(app, i, &pick);
            } else {
                app.mode = Mode::PickCommand(Box::new(pick));
            }
        }
        _ => app.mode = Mode::PickCommand(Box::new(pick)),
    }
}

pub(super) fn on_confirm_key(
    app: &mut App,
    key: KeyEvent,
    mut d: Box<RunDraft>,
    fx: &mut Vec<Effect>,
) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if d.editing {
        match key.code {
            KeyCode::Esc => {
                d.editing = false;
                d.input = answer_input(d.danger.is_some());
            }
            KeyCode::Enter => {
                let edited = d.input.lines().join("\n").trim().to_string();
                if !edited.is_empty() {
                    let labels = app.shown_labels().cloned().unwrap_or_default();
                    let (command, missing) = fill_command(&edited, &labels);
                    d.command = command;
                    d.missing = missing;
                }
                d.editing = false;
                d.input = answer_input(d.danger.is_some());
                d.error = None;
            }
            _ => {
                d.input.input(key);
            }
        }
        app.mode = Mode::ConfirmRun(d);
        return;
    }
    let edit = (ctrl && key.code == KeyCode::Char('e'))
        || (d.danger.is_none() && key.code == KeyCode::Char('e'));
    if edit {
        let mut ta = TextArea::from(d.command.lines().map(str::to_string).collect::<Vec<_>>());
        ta.move_cursor(ratatui_textarea::CursorMove::Bottom);
        ta.move_cursor(ratatui_textarea::CursorMove::End);
        d.input = ta;
        d.editing = true;
        app.mode = Mode::ConfirmRun(d);
        return;
    }
    let go = match (&d.danger, key.code) {
        (_, KeyCode::Esc) => return app.info("not run"),
        (None, KeyCode::Char('y' | 'Y')) => true,
        (None, _) => return app.info("not run"),
        (Some(answers), KeyCode::Enter) => {
            let typed = d.input.lines().join("").trim().to_string();
            if answers.contains(&typed) {
                true
            } else {
                d.error = Some(format!(
                    "'{typed}' is not {}: nothing was run",
                    answers.join(" or ")
                ));
                false
            }
        }
        (Some(_), _) => {
            d.input.input(key);
            d.error = None;
            false
        }
    };
    if !go {
        app.mode = Mode::ConfirmRun(d);
        return;
    }
    if !d.missing.is_empty() {
        d.error = Some(format!(
            "not run: {}; press {} to edit the command first",
            d.missing.join("; "),
            if d.danger.is_some() { "Ctrl-e" } else { "e" }
        ));
        app.mode = Mode::ConfirmRun(d);
        return;
    }
    start(app, *d, fx);
}

fn start(app: &mut App, d: RunDraft, fx: &mut Vec<Effect>) {
    let id = app.next_run;
    app.next_run += 1;
    record(
        app,
        EventKind::CommandStarted {
            step: d.step.clone(),
            command: d.command.clone(),
            purpose: d.purpose,
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
        command: d.command.clone(),
        timeout: d.timeout,
        shell: None,
        env: vec![
            ("WARROOM_INCIDENT".into(), incident),
            ("WARROOM_STEP".into(), d.step.clone()),
            ("WARROOM_AUTHOR".into(), app.author.clone()),
        ],
    }));
    app.run = Some(RunView {
        id,
        step: d.step,
        purpose: d.purpose,
        command: d.command,
        started: app.now,
        lines: Default::default(),
        dropped: 0,
        outcome: None,
        scroll: 0,
    });
    app.mode = Mode::Output;
}

/// Quitting while a command runs: stop it, and record its end now, as the
/// cockpit will not be there to hear it.
pub(super) fn stop_for_quit(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(run) = app.run.clone().filter(|r| r.outcome.is_none()) else {
        return;
    };
    fx.push(Effect::CancelRun(run.id));
    let (output, omitted) = journal_output(&run);
    let ran = app.now.duration_since(run.started).as_millis().max(0);
    let ran = u64::try_from(ran).unwrap_or(0);
    // Recorded here, once: the runner's own report of the stop is ignored.
    if let Some(r) = app.run.as_mut() {
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

/// Ctrl-C while a command runs: stop it (never the cockpit).
pub(super) fn cancel(app: &mut App, fx: &mut Vec<Effect>) -> bool {
    match app.run.as_ref().filter(|r| r.outcome.is_none()) {
        Some(r) => {
            fx.push(Effect::CancelRun(r.id));
            app.info("stopping the command…");
            true
        }
        None => false,
    }
}

pub(super) fn on_output_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    let keep_open = |app: &mut App| app.mode = Mode::Output;
    let Some(run) = app.run.as_mut() else {
        return;
    };
    let len = run.lines.len();
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('o') => return,
        KeyCode::Char('k') | KeyCode::Up => run.scroll = (run.scroll + 1).min(len),
        KeyCode::Char('j') | KeyCode::Down => run.scroll = run.scroll.saturating_sub(1),
        KeyCode::PageUp => run.scroll = (run.scroll + 10).min(len),
        KeyCode::PageDown => run.scroll = run.scroll.saturating_sub(10),
        KeyCode::Char('g') | KeyCode::Home => run.scroll = len,
        KeyCode::Char('G') | KeyCode::End => run.scroll = 0,
        KeyCode::Char('b') if run.outcome.is_some() => {
            let step = run.step.clone();
            if let Some(pos) = app.shown_runbook().and_then(|rb| rb.position(&step)) {
                app.step_cursor = pos;
            }
            return ask_run(app, Purpose::Rollback, fx);
        }
        _ => {}
    }
    keep_open(app);
}

/// `o`: the output panel of the latest command.
pub(super) fn show_output(app: &mut App) {
    if app.run.is_some() {
        app.mode = Mode::Output;
    } else {
        app.info("no command has run yet: r runs the selected step's command");
    }
}

/// Output and the end of a run, from the runner.
pub(super) fn on_run_report(app: &mut App, report: RunReport, fx: &mut Vec<Effect>) {
    match report {
        RunReport::Output { id, lines } => {
            if let Some(run) = app.run.as_mut().filter(|r| r.id == id) {
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
        } => {
            // A run already ended (stopped for quitting) is not ended twice.
            let Some(run) = app
                .run
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
                    "step {}: {} after {took}: b runs its rollback",
                    run.step,
                    o.describe()
                )),
                (o, _) => app.error(format!("step {}: {} after {took}", run.step, o.describe())),
            }
        }
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
pub(super) fn follow_branch(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(rb) = app.shown_runbook() else {
        return;
    };
    let Some((_, st)) = rb.steps().nth(app.step_cursor) else {
        return app.error("no step selected");
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
            "step {from} has no branch to follow (Space ticks, r runs its command)"
        )),
        [(label, to)] => {
            let (label, to) = (label.clone(), to.clone());
            jump(app, from, label, to, fx);
        }
        _ => {
            app.mode = Mode::PickBranch(Box::new(BranchPick {
                from,
                options,
                cursor: 0,
            }))
        }
    }
}

fn jump(app: &mut App, from: String, label: String, to: String, fx: &mut Vec<Effect>) {
    if let Some(pos) = app.shown_runbook().and_then(|rb| rb.position(&to)) {
        app.step_cursor = pos;
    }
    if app.incident_state().is_some() {
        record(app, EventKind::BranchTaken { from, to, label }, fx);
    } else {
        app.info(format!("went to step {to}"));
    }
}

pub(super) fn on_branch_key(
    app: &mut App,
    key: KeyEvent,
    mut pick: Box<BranchPick>,
    fx: &mut Vec<Effect>,
) {
    match key.code {
        KeyCode::Char('j') | KeyCode::Down => {
            pick.cursor = (pick.cursor + 1).min(pick.options.len().saturating_sub(1));
            app.mode = Mode::PickBranch(pick);
        }
        KeyCode::Char('k') | KeyCode::Up => {
            pick.cursor = pick.cursor.saturating_sub(1);
            app.mode = Mode::PickBranch(pick);
        }
        KeyCode::Enter => {
            if let Some((label, to)) = pick.options.get(pick.cursor).cloned() {
                jump(app, pick.from.clone(), label, to, fx);
            }
        }
        KeyCode::Char(c @ '1'..='9') => {
            let i = (c as usize) - ('1' as usize);
            match pick.options.get(i).cloned() {
                Some((label, to)) => jump(app, pick.from.clone(), label, to, fx),
                None => app.mode = Mode::PickBranch(pick),
            }
        }
        _ => {}
    }
}

/// A runbook file changed on disk. A good version replaces the old one in
/// place (ticks are kept by step id, the cursor stays on its step); a broken
/// one leaves the last good version in use and says why.
pub(super) fn on_runbook_changed(
    app: &mut App,
    path: std::path::PathBuf,
    result: Result<Box<crate::domain::runbook::Runbook>, crate::domain::runbook::RunbookError>,
) {
    let shown = app.shown_runbook().map(|r| r.path.clone());
    let is_shown = shown.as_ref() == Some(&path);
    match result {
        Ok(rb) => {
            let cursor_step = app.selected_step().map(|s| s.id.clone());
            let clash = app
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
                app.reload_errors.insert(path, msg.clone());
                return app.error(msg);
            }
            app.reload_errors.remove(&path);
            let id = rb.id.clone();
            match app.library.runbooks.iter_mut().find(|r| r.path == path) {
                Some(slot) => *slot = *rb,
                None => app.library.runbooks.push(*rb),
            }
            app.library.errors.retain(|e| e.path != path);
            if is_shown {
                if let Some(pos) =
                    cursor_step.and_then(|s| app.shown_runbook().and_then(|r| r.position(&s)))
                {
                    app.step_cursor = pos;
                }
                let len = app.shown_runbook().map_or(0, |r| r.steps().count());
                app.step_cursor = app.step_cursor.min(len.saturating_sub(1));
                app.info(format!("runbook {id} reloaded from {}", path.display()));
            }
        }
        Err(e) => {
            let known = app.library.runbooks.iter().any(|r| r.path == path);
            if known {
                app.reload_errors.insert(path, e.to_string());
                if is_shown {
                    app.error(format!("runbook edit not loaded: {e}"));
                }
            } else {
                app.library.errors.retain(|x| x.path != path);
                app.library.errors.push(e);
            }
        }
    }
}

/// On the clock: ask the `verify_query` of every step of the open incident's
/// runbook that is not yet confirmed, at most every [`QUERY_EVERY`].
pub(super) fn check_queries(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(inc) = app.incident_state().filter(|i| i.is_open()) else {
        return;
    };
    if app.metric.status.off.is_some() {
        return; // no Prometheus: the pane says so
    }
    let labels = inc.alert.labels.clone();
    let wanted: Vec<(String, String)> = app
        .shown_runbook()
        .map(|rb| {
            rb.steps()
                .filter(|(_, s)| !inc.verified.contains_key(&s.id))
                .filter_map(|(_, s)| {
                    let q = s.contract.as_ref()?.verify_query.as_ref()?;
                    let (q, missing) = fill_checked(q, &labels, false);
                    missing.is_empty().then(|| (s.id.clone(), q))
                })
                .collect()
        })
        .unwrap_or_default();
    app.checks
        .retain(|step, _| wanted.iter().any(|(s, _)| s == step));
    let every = jiff::SignedDuration::try_from(QUERY_EVERY).unwrap_or_default();
    for (step, query) in wanted {
        let check = app
            .checks
            .entry(step.clone())
            .or_insert_with(|| QueryCheck {
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
pub(super) fn on_query_checked(
    app: &mut App,
    step: String,
    query: String,
    result: Result<usize, String>,
    fx: &mut Vec<Effect>,
) {
    let Some(check) = app.checks.get_mut(&step).filter(|c| c.query == query) else {
        return;
    };
    check.in_flight = false;
    check.result = Some(result.clone());
    let already = app
        .incident_state()
        .is_none_or(|i| i.verified.contains_key(&step));
    if let Ok(n) = result
        && n > 0
        && !already
    {
        record(
            app,
            EventKind::StepVerified {
                step: step.clone(),
                how: format!("verify_query returned {n} series: {query}"),
            },
            fx,
        );
        app.info(format!("step {step} confirmed by its verify query"));
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

    #[test]
    fn shell_variables_set_by_the_command_are_not_gaps() {
        let labels = BTreeMap::new();
        let (_, missing) = fill_command(
            "for p in $(kubectl get pods -o name); do echo $p; done",
            &labels,
        );
        assert!(missing.is_empty(), "{missing:?}");
        let (_, missing) = fill_command("LAG=$(psql -tc 'select 1'); echo ${LAG}", &labels);
        assert!(missing.is_empty(), "{missing:?}");
        let (_, missing) = fill_command("kubectl -n $NAMESPACE get pods", &labels);
        assert_eq!(missing, ["no alert label fills $NAMESPACE"]);
    }

    #[test]
    fn hostile_label_values_never_reach_the_shell_unnoticed() {
        let labels = [
            ("namespace".to_string(), "shop; rm -rf ~".to_string()),
            ("pod".to_string(), "catalog-7d9f8b6c5-x2k4q".to_string()),
            ("node".to_string(), "$(curl evil)".to_string()),
        ]
        .into();
        let (cmd, problems) = fill_command("kubectl -n $namespace delete pod $pod", &labels);
        assert_eq!(
            cmd,
            "kubectl -n shop; rm -rf ~ delete pod catalog-7d9f8b6c5-x2k4q"
        );
        assert_eq!(
            problems,
            ["$namespace is \"shop; rm -rf ~\", which the shell would interpret"]
        );
        let (_, problems) = fill_command("kubectl cordon {{ $labels.node }}", &labels);
        assert_eq!(problems.len(), 1, "{problems:?}");
        // A query goes to Prometheus as a parameter, never through a shell.
        let (_, problems) = fill_checked("up{namespace=\"$namespace\"}", &labels, false);
        assert!(problems.is_empty());
    }

    #[test]
    fn angle_bracket_blanks_must_be_filled_by_hand() {
        let (_, problems) = fill_command(
            "kubectl -n <my-namespace> get pvc <my-pvc> 2>&1 | cat <<EOF",
            &BTreeMap::new(),
        );
        assert_eq!(
            problems,
            [
                "replace <my-namespace> with a real value",
                "replace <my-pvc> with a real value"
            ]
        );
    }

    #[test]
    fn placeholders_without_labels_are_listed() {
        let labels = [("namespace".to_string(), "shop".to_string())].into();
        let (cmd, missing) = fill_command(
            "kubectl -n $NAMESPACE delete pod {{ $labels.pod }}",
            &labels,
        );
        assert_eq!(cmd, "kubectl -n shop delete pod {{ $labels.pod }}");
        assert_eq!(missing, ["no alert label fills {{ $labels.pod }}"]);
    }
}
