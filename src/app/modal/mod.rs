//! The modal layer: at most one dialog or editor over the panes. Each dialog
//! is a module with its own draft state and one `on_key` that answers with a
//! [`Next`]; this module alone turns that answer into the dialog on screen,
//! so closing is always explicit and a forgotten branch keeps the dialog up.

pub mod action_form;
pub mod cluster_confirm;
pub mod command_line;
pub mod confirm_quit;
pub mod confirm_resolve;
pub mod confirm_run;
pub mod filter;
pub mod gameday;
pub mod gate;
pub mod help;
pub mod incident_panel;
pub mod note;
pub mod output;
pub mod pick_branch;
pub mod pick_command;
pub mod pod_detail;
pub mod status_update;
pub mod timeline_entry;
pub mod updates;

use crossterm::event::KeyEvent;

use super::keys::{self, Action, ModalKind};
use super::msg::Fx;
use super::next::{GatePlan, Next, Open, UntickAsk};
use super::state::App;
use crate::sources::kubernetes::Action as ClusterAction;

pub use action_form::{ACTION_FIELDS, ActionDraft};
pub use command_line::CommandDraft;
pub use confirm_run::RunDraft;
pub use filter::FilterDraft;
pub use help::HelpDraft;
pub use incident_panel::PanelDraft;
pub use note::NoteDraft;
pub use pick_branch::BranchPick;
pub use pick_command::CommandPick;
pub use status_update::UpdateDraft;
pub use timeline_entry::EntryDraft;
pub use updates::UpdatesDraft;

/// The modal layer over the panes; only one at a time.
#[derive(Debug, Default)]
pub enum Mode {
    /// No dialog: keys go to the panes.
    #[default]
    Normal,
    /// The help overlay.
    Help(HelpDraft),
    /// The note editor.
    Note(Box<NoteDraft>),
    /// The `:` command line.
    CommandLine(Box<CommandDraft>),
    /// The `/` filter line of a list pane; the list filters as you type.
    Filter(Box<FilterDraft>),
    /// A cluster change waits for y.
    ClusterConfirm(Box<ClusterAction>),
    /// The details of one pod (events and logs).
    PodDetail,
    /// The Incident panel.
    IncidentPanel(PanelDraft),
    /// The list of status updates.
    Updates(UpdatesDraft),
    /// A chaos experiment's pre-flight, waiting for its name typed.
    Gameday(Box<gameday::GamedayDraft>),
    /// Resolving waits for y.
    ConfirmResolve,
    /// Asking before marking the incident mitigated.
    ConfirmMitigate,
    /// Asking before unticking a step someone else ticked.
    ConfirmUntick(Box<UntickAsk>),
    /// The status update editor.
    StatusUpdate(Box<UpdateDraft>),
    /// The action item form.
    ActionForm(Box<ActionDraft>),
    /// Quitting waits for y or n.
    ConfirmQuit,
    /// Which of a step's commands to run.
    PickCommand(Box<CommandPick>),
    /// A step command waits for y (or, for a dangerous step, its id typed).
    ConfirmRun(Box<RunDraft>),
    /// A step's gate is closed.
    Gate(Box<GatePlan>),
    /// Which of a step's branches to follow.
    PickBranch(Box<BranchPick>),
    /// The output panel of the latest command.
    Output,
    /// One timeline entry in full.
    TimelineEntry(EntryDraft),
}

impl Mode {
    /// The dialog's scope in the key table; `None` with no dialog up.
    pub fn kind(&self) -> Option<ModalKind> {
        Some(match self {
            Mode::Normal => return None,
            Mode::Help(_) => ModalKind::Help,
            Mode::Note(_) => ModalKind::Note,
            Mode::CommandLine(_) => ModalKind::CommandLine,
            Mode::Filter(_) => ModalKind::Filter,
            Mode::ClusterConfirm(_) => ModalKind::ClusterConfirm,
            Mode::PodDetail => ModalKind::PodDetail,
            Mode::IncidentPanel(_) => ModalKind::IncidentPanel,
            Mode::Updates(_) => ModalKind::Updates,
            Mode::Gameday(_) => ModalKind::Gameday,
            Mode::ConfirmResolve => ModalKind::ConfirmResolve,
            Mode::ConfirmMitigate => ModalKind::ConfirmMitigate,
            Mode::ConfirmUntick(_) => ModalKind::ConfirmUntick,
            Mode::StatusUpdate(d) => d.kind(),
            Mode::ActionForm(_) => ModalKind::ActionForm,
            Mode::ConfirmQuit => ModalKind::ConfirmQuit,
            Mode::PickCommand(_) => ModalKind::PickCommand,
            Mode::ConfirmRun(d) => d.kind(),
            Mode::Gate(_) => ModalKind::Gate,
            Mode::PickBranch(_) => ModalKind::PickBranch,
            Mode::Output => ModalKind::Output,
            Mode::TimelineEntry(_) => ModalKind::TimelineEntry,
        })
    }

    /// Whether no dialog is up.
    pub fn is_normal(&self) -> bool {
        matches!(self, Mode::Normal)
    }
}

/// The dialog a handler asked for, with its draft state.
pub fn open(app: &App, what: Open) -> Mode {
    match what {
        Open::Help => Mode::Help(HelpDraft::default()),
        Open::Note => Mode::Note(Box::default()),
        Open::NoteWith(text) => Mode::Note(Box::new(NoteDraft::with_text(&text))),
        Open::CommandLine(text) => Mode::CommandLine(Box::new(CommandDraft::new(&text))),
        Open::Filter(pane) => Mode::Filter(Box::new(FilterDraft::new(app, pane))),
        Open::ClusterConfirm(action) => Mode::ClusterConfirm(Box::new(action)),
        Open::PodDetail => Mode::PodDetail,
        Open::IncidentPanel => Mode::IncidentPanel(PanelDraft::default()),
        Open::Updates => Mode::Updates(UpdatesDraft::default()),
        Open::Gameday => Mode::Gameday(Box::default()),
        Open::ConfirmResolve => Mode::ConfirmResolve,
        Open::ConfirmMitigate => Mode::ConfirmMitigate,
        Open::ConfirmUntick(ask) => Mode::ConfirmUntick(ask),
        Open::TimelineEntry(row) => Mode::TimelineEntry(EntryDraft { row, top: 0 }),
        Open::StatusUpdate(audience) => {
            Mode::StatusUpdate(Box::new(UpdateDraft::new(app, audience)))
        }
        Open::ActionForm => Mode::ActionForm(Box::default()),
        Open::ConfirmQuit => Mode::ConfirmQuit,
        Open::PickCommand {
            step,
            at,
            options,
            query,
        } => Mode::PickCommand(Box::new(CommandPick {
            step,
            at,
            options,
            query,
            cursor: 0,
        })),
        Open::ConfirmRun(plan) => Mode::ConfirmRun(Box::new(RunDraft::new(*plan))),
        Open::Gate(plan) => Mode::Gate(Box::new(plan)),
        Open::PickBranch { from, options } => Mode::PickBranch(Box::new(BranchPick {
            from,
            options,
            cursor: 0,
        })),
        Open::Output => Mode::Output,
    }
}

/// Applies a handler's answer to the modal layer.
pub fn apply(mode: &mut Mode, app: &App, next: Next) {
    match next {
        Next::Stay => {}
        Next::Close => *mode = Mode::Normal,
        Next::Open(what) => *mode = open(app, what),
    }
}

/// A key while a dialog is up: looked up in its scope of the key table, then
/// handled by the dialog's own module.
pub fn on_key(mode: &mut Mode, key: KeyEvent, app: &mut App, fx: &mut Fx) -> Next {
    let Some(kind) = mode.kind() else {
        return Next::Stay;
    };
    // Where every other key cancels, it is the Cancel row's action: the
    // table says so once, for the hint line and the handler alike.
    let action = keys::lookup_modal(&key, kind)
        .or_else(|| (kind.others() == keys::Others::Cancel).then_some(Action::Cancel));
    // Going ahead with a dialog is something new: an old error makes way
    // for what it says, or for nothing when it goes through quietly.
    if matches!(
        action,
        Some(Action::Submit | Action::Confirm | Action::Choose | Action::Override)
    ) {
        app.clear_error();
    }
    match mode {
        Mode::Normal => Next::Stay,
        Mode::Help(d) => help::on_key(d, action, app),
        Mode::Note(d) => note::on_key(d, action, key, app, fx),
        Mode::CommandLine(d) => command_line::on_key(d, action, key, app, fx),
        Mode::Filter(d) => filter::on_key(d, action, key, app),
        Mode::ClusterConfirm(a) => cluster_confirm::on_key(a, action, app, fx),
        Mode::PodDetail => pod_detail::on_key(action, app, fx),
        Mode::IncidentPanel(d) => incident_panel::on_key(d, action, app),
        Mode::Updates(d) => updates::on_key(d, action, app, fx),
        Mode::Gameday(d) => gameday::on_key(d, action, key, app, fx),
        Mode::ConfirmResolve => confirm_resolve::on_key(action, app, fx),
        Mode::ConfirmMitigate => confirm_resolve::on_mitigate_key(action, app, fx),
        Mode::ConfirmUntick(ask) => confirm_resolve::on_untick_key(action, ask, app, fx),
        Mode::TimelineEntry(d) => timeline_entry::on_key(d, action, app, fx),
        Mode::StatusUpdate(d) => status_update::on_key(d, action, key, app, fx),
        Mode::ActionForm(d) => action_form::on_key(d, action, key, app, fx),
        Mode::ConfirmQuit => confirm_quit::on_key(action, app, fx),
        Mode::PickCommand(p) => pick_command::on_key(p, action, key, app, fx),
        Mode::ConfirmRun(d) => confirm_run::on_key(d, action, key, app, fx),
        Mode::Gate(g) => gate::on_key(g, action, app, fx),
        Mode::PickBranch(p) => pick_branch::on_key(p, action, key, app, fx),
        Mode::Output => output::on_key(action, app, fx),
    }
}

/// The longest paste taken: a note or command is never this long, and
/// inserting more would keep the cockpit busy for seconds.
pub const MAX_PASTE: usize = 256 << 10;

/// Pasted text goes into the editor that is up, as text: line breaks where
/// the editor takes several lines, spaces where it takes one, control
/// characters and escape sequences dropped. With no editor up it is
/// ignored, and the message line says so: a paste never acts as keys.
pub fn on_paste(mode: &mut Mode, text: &str, app: &mut App) {
    if text.len() > MAX_PASTE {
        return app.error(format!(
            "paste ignored: {} is more than one paste takes ({}); paste it in parts, or put it in a file and note where",
            crate::bounded::human(text.len() as u64),
            crate::bounded::human(MAX_PASTE as u64)
        ));
    }
    let multi =
        crate::sanitize::multiline(&text.replace("\r\n", "\n").replace('\r', "\n")).into_owned();
    let single = multi.replace('\n', " ");
    match mode {
        Mode::Note(d) => {
            d.editor.insert_str(&multi);
        }
        Mode::StatusUpdate(d) if !d.confirm_discard => {
            d.editor.insert_str(&multi);
        }
        Mode::CommandLine(d) => {
            d.tabbing = None;
            d.editor.insert_str(&single);
        }
        Mode::Filter(d) => {
            d.editor.insert_str(&single);
            filter::apply(d, app);
        }
        Mode::ActionForm(d) => {
            let f = d.focus;
            d.fields[f].insert_str(&single);
        }
        Mode::ConfirmRun(d) if d.editing => {
            d.input.insert_str(&multi);
        }
        Mode::Gameday(d) => {
            d.input.insert_str(&single);
            d.error = None;
        }
        Mode::ConfirmRun(d) if d.danger.is_some() => {
            d.input.insert_str(&single);
            d.error = None;
        }
        _ => app.error(
            "paste ignored: no text field is open (n writes a note, : opens the command line)",
        ),
    }
}

/// Whether `action` does something in this dialog as it stands, for its
/// hint line.
pub fn offers(mode: &Mode, app: &App, action: Action) -> bool {
    match (mode, action) {
        (Mode::ConfirmRun(d), Action::Confirm | Action::Submit) => !d.blocked(),
        (Mode::Output, Action::Rollback) => app.runs.latest.as_ref().is_some_and(|r| {
            r.outcome.is_some()
                && app
                    .shown_runbook()
                    .and_then(|rb| rb.step(&r.step))
                    .and_then(|(_, s)| s.contract.as_ref())
                    .is_some_and(|c| c.rollback.is_some())
        }),
        (Mode::StatusUpdate(d), Action::SwitchAudience) => {
            d.editor.lines().join("\n").trim() == d.original.trim()
        }
        _ => true,
    }
}
