//! A step command waiting for the responder's go: `y`, or for a dangerous
//! step its id typed; `e` edits the command first.

use std::time::Duration;

use crossterm::event::KeyEvent;
use ratatui_textarea::{CursorMove, TextArea};

use super::super::keys::{Action, ModalKind};
use super::super::msg::Fx;
use super::super::next::{Next, RunPlan};
use super::super::runs::{self, RunRequest};
use super::super::state::App;
use super::super::steps;
use crate::domain::incident::Purpose;

/// A command about to run.
#[derive(Debug)]
pub struct RunDraft {
    /// The step it belongs to.
    pub step: String,
    /// Where its progress is recorded.
    pub at: crate::domain::incident::StepAt,
    /// The step's command, its verify check or its rollback.
    pub purpose: Purpose,
    /// The command as written (or as last edited), placeholders and all:
    /// what `e` edits. Filling it again quotes every value again, so an
    /// edit can never turn a label value into shell code.
    pub template: String,
    /// The command with placeholders filled and quoted: exactly what will run.
    pub command: String,
    /// The command as the runbook gives it, filled: what ran is recorded as
    /// edited when it differs.
    pub original: String,
    /// Why it cannot run as it stands; running waits until they are edited out.
    pub missing: Vec<String>,
    /// What the responder should know before running it.
    pub notes: Vec<String>,
    /// For a dangerous step: what may be typed to confirm (step id, resource).
    pub danger: Option<Vec<String>>,
    /// What the responder typed (dangerous steps), or the command being edited.
    pub input: TextArea<'static>,
    /// The command is being edited in `input`.
    pub editing: bool,
    /// Whether the step changes things.
    pub mutating: bool,
    /// How long it may run.
    pub timeout: Duration,
    /// The shell it runs in.
    pub shell: String,
    /// Why the last attempt to confirm was refused.
    pub error: Option<String>,
}

impl RunDraft {
    /// The confirmation of a planned command.
    pub fn new(plan: RunPlan) -> Self {
        let input = answer_input(plan.danger.is_some());
        RunDraft {
            step: plan.step,
            at: plan.at,
            purpose: plan.purpose,
            template: plan.template,
            original: plan.command.clone(),
            command: plan.command,
            missing: plan.missing,
            notes: plan.notes,
            danger: plan.danger,
            input,
            editing: false,
            mutating: plan.mutating,
            timeout: plan.timeout,
            shell: plan.shell,
            error: None,
        }
    }

    /// The scope its keys are looked up in.
    pub fn kind(&self) -> ModalKind {
        match (self.editing, self.danger.is_some()) {
            (true, _) => ModalKind::EditCommand,
            (false, true) => ModalKind::ConfirmDanger,
            (false, false) => ModalKind::ConfirmRun,
        }
    }

    /// Whether something must be edited out before it can run.
    pub fn blocked(&self) -> bool {
        !self.missing.is_empty()
    }
}

/// The field a dangerous step's name is typed into.
fn answer_input(danger: bool) -> TextArea<'static> {
    let mut input = TextArea::default();
    if danger {
        let enter = super::super::keys::key(
            super::super::keys::Scope::Modal(ModalKind::ConfirmDanger),
            Action::Submit,
        );
        input.set_placeholder_text(format!("type the step id or resource name, then {enter}"));
    }
    input
}

/// Keys in the confirmation, in whichever of its three states it is.
pub fn on_key(
    d: &mut RunDraft,
    action: Option<Action>,
    key: KeyEvent,
    app: &mut App,
    fx: &mut Fx,
) -> Next {
    match d.kind() {
        ModalKind::EditCommand => {
            match action {
                Some(Action::Cancel) => d.editing = false,
                Some(Action::Submit) => {
                    let edited = d.input.lines().join("\n").trim().to_string();
                    if !edited.is_empty() {
                        // Checked exactly as an unedited command: filled
                        // again, every value quoted again.
                        let filled = steps::fill_command(app, &edited);
                        d.template = edited;
                        d.command = filled.text;
                        d.missing = filled.problems;
                        d.notes = filled.notes;
                    }
                    d.editing = false;
                    d.error = None;
                }
                _ => {
                    d.input.input(key);
                    return Next::Stay;
                }
            }
            d.input = answer_input(d.danger.is_some());
            Next::Stay
        }
        ModalKind::ConfirmDanger => match action {
            Some(Action::Edit) => edit(d),
            Some(Action::Cancel) => not_run(app),
            Some(Action::Submit) => {
                let typed = d.input.lines().join("").trim().to_string();
                let answers = d.danger.clone().unwrap_or_default();
                if answers.contains(&typed) {
                    go(d, app, fx)
                } else {
                    d.error = Some(format!(
                        "'{typed}' is not {}: nothing was run",
                        answers.join(" or ")
                    ));
                    Next::Stay
                }
            }
            _ => {
                d.input.input(key);
                d.error = None;
                Next::Stay
            }
        },
        _ => match action {
            Some(Action::Edit) => edit(d),
            Some(Action::Confirm) => go(d, app, fx),
            _ => not_run(app),
        },
    }
}

fn not_run(app: &mut App) -> Next {
    app.info("not run");
    Next::Close
}

/// Puts the command as written, placeholders and all, into the editor.
fn edit(d: &mut RunDraft) -> Next {
    let mut ta = TextArea::from(d.template.lines().map(str::to_string).collect::<Vec<_>>());
    ta.move_cursor(CursorMove::Bottom);
    ta.move_cursor(CursorMove::End);
    d.input = ta;
    d.editing = true;
    Next::Stay
}

/// Runs the command, unless something must be edited out first.
fn go(d: &mut RunDraft, app: &mut App, fx: &mut Fx) -> Next {
    if d.blocked() {
        d.error = Some(format!(
            "not run: {}; press {} to edit the command first",
            d.missing.join("; "),
            if d.danger.is_some() { "Ctrl-e" } else { "e" }
        ));
        return Next::Stay;
    }
    runs::start(
        app,
        RunRequest {
            step: d.step.clone(),
            at: d.at.clone(),
            original: (d.command != d.original).then(|| d.original.clone()),
            purpose: d.purpose,
            command: d.command.clone(),
            timeout: d.timeout,
        },
        fx,
    )
}
