//! The key table. Every binding the cockpit knows is one row here, dialogs
//! and editors included, each under the scope it applies in; the key
//! handlers, the help overlay and every hint line read this table, so they
//! cannot drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::scroll::Nav;
use super::state::Pane;

/// What a key asks for. The handler of the active scope gives it its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Stop the running command; with none running, in the panes, quit.
    Interrupt,
    /// Leave the cockpit, asking first while an incident is open.
    Quit,
    /// Show the help overlay built from this table.
    Help,
    /// Cycle focus forwards through the panes.
    FocusNext,
    /// Cycle focus backwards.
    FocusPrev,
    /// Jump straight to a pane (compact layout shows it as the tab).
    Focus(Pane),
    /// Move the selection or scroll.
    Nav(Nav),
    /// Enter on an alert: declare or reopen its incident.
    Open,
    /// Tick or untick the selected runbook step.
    ToggleStep,
    /// Run the selected step's command (asks first).
    RunStep,
    /// Run the selected step's verify check.
    VerifyStep,
    /// Run the selected step's rollback (asks first).
    RollbackStep,
    /// Follow the selected step's "go to step N".
    FollowBranch,
    /// Show the latest command's output.
    ShowOutput,
    /// Show the focused pane full screen, and back.
    Zoom,
    /// Scroll commands sideways, to their start.
    ScrollLeft,
    /// Scroll commands sideways, to their end.
    ScrollRight,
    /// Open the selected timeline entry in full.
    TimelineEntry,
    /// Wrap timeline entries instead of cutting them.
    ToggleWrap,
    /// Copy the selected timeline entry, or the status update shown.
    CopyEntry,
    /// Copy the selected step's command to the clipboard, as shown.
    CopyCommand,
    /// Show the previous of the incident's attached runbooks.
    PrevRunbook,
    /// Show the next of the incident's attached runbooks.
    NextRunbook,
    /// Fold or unfold the runbook's `<details>` bodies.
    FoldDetails,
    /// Open the note editor.
    Note,
    /// Open the `:` command line.
    CommandLine,
    /// Open the `/` filter of the Alerts pane.
    Filter,
    /// Hide or show silenced and inhibited alerts.
    ToggleSuppressed,
    /// Group alerts by name, or list them one by one.
    ToggleGroups,
    /// Start a silence for the selected (or the incident's) alert.
    Silence,
    /// Cycle the chart's time range.
    CycleRange,
    /// Pin the chart to the timeline (opens `:pin` for a caption).
    PinChart,
    /// Pin the latest command's output (opens `:pin output`).
    PinOutput,
    /// Pin the pod details shown (opens `:pin pod`).
    PinPod,
    /// Clear a filter kept with Enter.
    ClearFilter,
    /// Show the selected pod's events and logs.
    PodDetails,
    /// Delete the selected pod (asks first).
    DeletePod,
    /// Rollout-restart the selected pod's workload (asks first).
    RestartWorkload,
    /// Scale the selected pod's workload: opens `:scale`.
    ScaleWorkload,
    /// Acknowledge the incident.
    Ack,
    /// Record that the impact has stopped.
    Mitigated,
    /// Resolve the incident (asks y/n).
    Resolve,
    /// Write a status update.
    StatusUpdate,
    /// Add an action item.
    AddAction,
    /// Show the Incident panel.
    IncidentPanel,
    /// In a dialog: say yes.
    Confirm,
    /// In a dialog: say no, or leave it without doing anything.
    Cancel,
    /// In an editor or picker: take what is there.
    Submit,
    /// In a picker: take the numbered choice (the digit pressed).
    Choose,
    /// In the run confirmation: edit the command before running it.
    Edit,
    /// At a closed gate: go ahead anyway (recorded).
    Override,
    /// In the status update editor: the other audience's template.
    SwitchAudience,
    /// In a form: the next field.
    NextField,
    /// In a form: the previous field.
    PrevField,
    /// In pod details: the previous (crashed) run's log, or the current one.
    TogglePrevious,
    /// In pod details: stop or resume following the log.
    ToggleFollow,
    /// In the output panel: run the step's rollback.
    Rollback,
    /// On the command line: completion, history or a shell editing key.
    Line(LineEdit),
}

/// The dialogs and editors; each has its own scope in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModalKind {
    /// The help overlay.
    Help,
    /// The note editor.
    Note,
    /// The `:` command line.
    CommandLine,
    /// The `/` filter line.
    Filter,
    /// A cluster change waiting for y.
    ClusterConfirm,
    /// One pod's events and log.
    PodDetail,
    /// The Incident panel.
    IncidentPanel,
    /// The list of status updates.
    Updates,
    /// Resolving waits for y.
    ConfirmResolve,
    /// Asked before marking the incident mitigated.
    ConfirmMitigate,
    /// Asked before unticking a step someone else ticked.
    ConfirmUntick,
    /// The status update editor.
    StatusUpdate,
    /// Throwing away a changed status update waits for y.
    DiscardUpdate,
    /// The action item form.
    ActionForm,
    /// Quitting waits for y or n.
    ConfirmQuit,
    /// Which of a step's commands to run.
    PickCommand,
    /// A command waits for y.
    ConfirmRun,
    /// A dangerous command waits for its name to be typed.
    ConfirmDanger,
    /// A chaos experiment's pre-flight waits for its name to be typed.
    Gameday,
    /// The command of a run confirmation is being edited.
    EditCommand,
    /// A step's gate is closed.
    Gate,
    /// Which of a step's branches to follow.
    PickBranch,
    /// The output of the latest command.
    Output,
    /// One timeline entry in full.
    TimelineEntry,
}

/// What a dialog does with a key its table does not bind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Others {
    /// Nothing: the dialog stays as it is.
    Ignore,
    /// The same as its Cancel row.
    Cancel,
    /// Typed into its editor.
    Type,
}

impl ModalKind {
    /// Every dialog, in the order help lists them.
    pub const ALL: [ModalKind; 24] = [
        ModalKind::Note,
        ModalKind::CommandLine,
        ModalKind::Filter,
        ModalKind::StatusUpdate,
        ModalKind::DiscardUpdate,
        ModalKind::ActionForm,
        ModalKind::PickCommand,
        ModalKind::ConfirmRun,
        ModalKind::ConfirmDanger,
        ModalKind::Gameday,
        ModalKind::EditCommand,
        ModalKind::Gate,
        ModalKind::PickBranch,
        ModalKind::Output,
        ModalKind::TimelineEntry,
        ModalKind::PodDetail,
        ModalKind::ClusterConfirm,
        ModalKind::IncidentPanel,
        ModalKind::Updates,
        ModalKind::ConfirmResolve,
        ModalKind::ConfirmMitigate,
        ModalKind::ConfirmUntick,
        ModalKind::ConfirmQuit,
        ModalKind::Help,
    ];

    /// Where it is, for help.
    pub fn title(self) -> &'static str {
        match self {
            ModalKind::Help => "In help",
            ModalKind::Note => "In the note editor",
            ModalKind::CommandLine => "On the : command line",
            ModalKind::Filter => "On the / filter line",
            ModalKind::ClusterConfirm => "Asked to change the cluster",
            ModalKind::PodDetail => "In pod details",
            ModalKind::IncidentPanel => "In the Incident panel",
            ModalKind::Updates => "In the status updates list",
            ModalKind::ConfirmResolve => "Asked to resolve",
            ModalKind::ConfirmMitigate => "Asked to mark mitigated",
            ModalKind::ConfirmUntick => "Asked to untick a teammate's step",
            ModalKind::StatusUpdate => "In the status update editor",
            ModalKind::DiscardUpdate => "Asked to discard a status update",
            ModalKind::ActionForm => "In the action item form",
            ModalKind::ConfirmQuit => "Asked to quit",
            ModalKind::PickCommand => "Choosing a command",
            ModalKind::ConfirmRun => "Asked to run a command",
            ModalKind::ConfirmDanger => "Asked to run a dangerous command",
            ModalKind::Gameday => "At a game-day's pre-flight",
            ModalKind::EditCommand => "Editing a command before running it",
            ModalKind::Gate => "At a closed gate",
            ModalKind::PickBranch => "Choosing a branch",
            ModalKind::Output => "In the output panel",
            ModalKind::TimelineEntry => "Reading a timeline entry",
        }
    }

    /// What happens to keys the table does not bind here.
    pub fn others(self) -> Others {
        match self {
            ModalKind::Note
            | ModalKind::CommandLine
            | ModalKind::Filter
            | ModalKind::StatusUpdate
            | ModalKind::ActionForm
            | ModalKind::ConfirmDanger
            | ModalKind::Gameday
            | ModalKind::EditCommand => Others::Type,
            ModalKind::ClusterConfirm
            | ModalKind::ConfirmResolve
            | ModalKind::ConfirmMitigate
            | ModalKind::ConfirmUntick
            | ModalKind::DiscardUpdate
            | ModalKind::ConfirmRun
            | ModalKind::Gate
            | ModalKind::PickBranch => Others::Cancel,
            ModalKind::Help
            | ModalKind::PodDetail
            | ModalKind::IncidentPanel
            | ModalKind::Updates
            | ModalKind::ConfirmQuit
            | ModalKind::PickCommand
            | ModalKind::Output
            | ModalKind::TimelineEntry => Others::Ignore,
        }
    }

    /// Whether the navigation keys move through it.
    pub fn navigates(self) -> bool {
        matches!(
            self,
            ModalKind::Help
                | ModalKind::PodDetail
                | ModalKind::IncidentPanel
                | ModalKind::Updates
                | ModalKind::PickCommand
                | ModalKind::PickBranch
                | ModalKind::Output
                | ModalKind::TimelineEntry
        )
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Active in every mode, before anything else.
    Always,
    /// Active whatever pane has focus, when no dialog is up.
    Global,
    /// Active only while this pane has focus.
    In(Pane),
    /// Moving through lists, overlays and logs: in the panes and in every
    /// dialog that [navigates](ModalKind::navigates).
    Nav,
    /// Active while this dialog is up.
    Modal(ModalKind),
}

/// One row of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Where the binding applies.
    pub scope: Scope,
    /// Every key combination that triggers it; the first is shown in hints.
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// What it asks for.
    pub action: Action,
    /// One line for the help overlay.
    pub help: &'static str,
    /// A word or two for the status line (panes) or the dialog's hint line.
    pub hint: Option<&'static str>,
}

mod dialogs;
mod line;
mod panes;
mod scope;

pub use line::LineEdit;

use Action as A;
use ModalKind as M;
use scope::DIGITS;

/// Every row of the key table: the panes' keys, then the dialogs'.
pub fn bindings() -> impl Iterator<Item = &'static Binding> {
    panes::PANE_KEYS
        .iter()
        .chain(dialogs::DIALOG_KEYS.iter())
        .chain(line::LINE_KEYS.iter())
}

fn hits(b: &Binding, key: &KeyEvent) -> bool {
    b.keys
        .iter()
        .any(|(c, m)| *c == key.code && *m == key.modifiers)
}

fn find(scope: Scope, key: &KeyEvent) -> Option<Action> {
    bindings()
        .find(|b| b.scope == scope && hits(b, key))
        .map(|b| b.action)
}

/// The action bound to `key` in every mode, before the mode's own keys.
pub fn always(key: &KeyEvent) -> Option<Action> {
    find(Scope::Always, key)
}

/// The action bound to `key` with `focus` and no dialog up; pane bindings
/// win over global ones, which win over navigation.
pub fn lookup(key: &KeyEvent, focus: Pane) -> Option<Action> {
    find(Scope::In(focus), key)
        .or_else(|| find(Scope::Global, key))
        .or_else(|| find(Scope::Nav, key))
}

/// The action bound to `key` while a dialog is up: its own rows, then
/// navigation when it moves through something. `None` means the key is one
/// of its [`Others`].
pub fn lookup_modal(key: &KeyEvent, kind: ModalKind) -> Option<Action> {
    find(Scope::Modal(kind), key)
        .or_else(|| kind.navigates().then(|| find(Scope::Nav, key)).flatten())
}

/// How a key is written in help and hints: `Enter`, `Space`, `Ctrl-d`, `j`.
pub fn label(code: KeyCode, mods: KeyModifiers) -> String {
    let base = match code {
        KeyCode::Enter => "Enter".to_string(),
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Tab => "Tab".to_string(),
        KeyCode::BackTab => "Shift-Tab".to_string(),
        KeyCode::Up => "↑".to_string(),
        KeyCode::Down => "↓".to_string(),
        KeyCode::PageUp => "PgUp".to_string(),
        KeyCode::PageDown => "PgDn".to_string(),
        KeyCode::Home => "Home".to_string(),
        KeyCode::End => "End".to_string(),
        KeyCode::Esc => "Esc".to_string(),
        other => format!("{other:?}"),
    };
    if mods.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

/// All distinct labels of a binding, e.g. `j ↓`; a run of digits as `1-9`.
pub fn labels(b: &Binding) -> String {
    if b.keys == DIGITS {
        return "1-9".to_string();
    }
    let mut seen: Vec<String> = Vec::new();
    for (c, m) in b.keys {
        let l = label(*c, *m);
        if !seen.contains(&l) {
            seen.push(l);
        }
    }
    seen.join(" ")
}

/// The label of a binding's first key (`1-9` for the digits).
fn first_label(b: &Binding) -> String {
    if b.keys == DIGITS {
        return "1-9".to_string();
    }
    b.keys
        .first()
        .map(|(c, m)| label(*c, *m))
        .unwrap_or_default()
}

/// The key (its first binding) for `action` in `scope`, for messages that
/// tell the responder what to press: they read the table like the hints do.
pub fn key(scope: Scope, action: Action) -> String {
    bindings()
        .find(|b| b.scope == scope && b.action == action)
        .map(first_label)
        .unwrap_or_else(|| "?".to_string())
}

/// [`key`] for a pane's row.
pub fn pane_key(pane: Pane, action: Action) -> String {
    key(Scope::In(pane), action)
}

/// [`key`] for a row that applies in every pane.
pub fn global_key(action: Action) -> String {
    key(Scope::Global, action)
}

/// Status-line hints for the focused pane: pane bindings first, then global.
pub fn hints(focus: Pane) -> Vec<(String, &'static str)> {
    bindings()
        .filter(|b| b.scope == Scope::In(focus))
        .chain(bindings().filter(|b| b.scope == Scope::Global))
        .filter_map(|b| b.hint.map(|h| (first_label(b), h)))
        .collect()
}

/// The hint line of a dialog, from its rows: `Enter saves · Esc cancels`.
/// `offered` leaves out actions that do nothing in the dialog's present
/// state; `tail` adds the newest-line key to views that follow new lines.
pub fn modal_hints(kind: ModalKind, offered: impl Fn(Action) -> bool, tail: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    if kind.navigates() {
        let key = |a: Action| {
            bindings()
                .find(|b| b.scope == Scope::Nav && b.action == a)
                .map(first_label)
                .unwrap_or_default()
        };
        parts.push(format!(
            "{}/{} {}",
            key(A::Nav(Nav::Down)),
            key(A::Nav(Nav::Up)),
            match kind {
                M::PickCommand | M::PickBranch => "move",
                M::TimelineEntry => "next/previous entry",
                _ => "scroll",
            }
        ));
        if tail {
            parts.push(format!("{} newest", key(A::Nav(Nav::Bottom))));
        }
    }
    // Where every other key cancels, "any other key" says it for Esc too.
    let others_cancel = kind.others() == Others::Cancel;
    let mut cancel = None;
    for b in bindings().filter(|b| b.scope == Scope::Modal(kind) && offered(b.action)) {
        if others_cancel && b.action == A::Cancel {
            cancel = b.hint;
            continue;
        }
        if let Some(h) = b.hint {
            parts.push(format!("{} {h}", first_label(b)));
        }
    }
    if others_cancel {
        parts.push(format!("any other key {}", cancel.unwrap_or("cancels")));
    }
    parts.join(" · ")
}

/// One section of the help overlay: a scope of the table, or the commands.
#[derive(Debug, Clone, PartialEq)]
pub struct HelpSection {
    /// Where these keys apply.
    pub title: String,
    /// Keys as written, and what they do.
    pub rows: Vec<(String, &'static str)>,
}

/// The whole help text, generated from the key and command tables.
#[derive(Debug, Clone, PartialEq)]
pub struct HelpText {
    /// In display order.
    pub sections: Vec<HelpSection>,
}

impl HelpText {
    /// Lines it takes: a title per section and a line per row.
    pub fn rows(&self) -> usize {
        self.sections.iter().map(|s| 1 + s.rows.len()).sum()
    }
}

/// Help for every scope of the key table, then the `:` commands.
pub fn help() -> HelpText {
    let rows_of = |scope: Scope| -> Vec<(String, &'static str)> {
        bindings()
            .filter(|b| b.scope == scope)
            .map(|b| (labels(b), b.help))
            .collect()
    };
    let mut scopes: Vec<(String, Vec<Scope>)> = vec![
        ("Everywhere".into(), vec![Scope::Always, Scope::Global]),
        ("Moving around".into(), vec![Scope::Nav]),
    ];
    scopes.extend(
        Pane::ALL
            .iter()
            .map(|p| (format!("In {}", p.title()), vec![Scope::In(*p)])),
    );
    scopes.extend(
        ModalKind::ALL
            .iter()
            .map(|k| (k.title().to_string(), vec![Scope::Modal(*k)])),
    );
    let mut sections: Vec<HelpSection> = scopes
        .into_iter()
        .map(|(title, scopes)| HelpSection {
            title,
            rows: scopes.into_iter().flat_map(rows_of).collect(),
        })
        .filter(|s| !s.rows.is_empty())
        .collect();
    sections.push(HelpSection {
        title: "Commands (type : first)".into(),
        rows: super::command::COMMANDS
            .iter()
            .map(|(name, args, what)| (format!("{name} {args}").trim_end().to_string(), *what))
            .collect(),
    });
    HelpText { sections }
}

/// The digit of a [`Action::Choose`] key as a 0-based index.
pub fn chosen(key: &KeyEvent) -> Option<usize> {
    match key.code {
        KeyCode::Char(c @ '1'..='9') => Some(c as usize - '1' as usize),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn pane_bindings_win_and_globals_apply_everywhere() {
        assert_eq!(lookup(&key(KeyCode::Enter), Pane::Alerts), Some(A::Open));
        assert_eq!(
            lookup(&key(KeyCode::Enter), Pane::Pods),
            Some(A::PodDetails)
        );
        assert_eq!(
            lookup(&key(KeyCode::Enter), Pane::Timeline),
            Some(A::TimelineEntry)
        );
        assert_eq!(lookup(&key(KeyCode::Enter), Pane::Metrics), None);
        assert_eq!(
            lookup(&key(KeyCode::Char(' ')), Pane::Runbook),
            Some(A::ToggleStep)
        );
        assert_eq!(
            lookup(&key(KeyCode::Char('j')), Pane::Timeline),
            Some(A::Nav(Nav::Down))
        );
        assert_eq!(
            always(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(A::Interrupt)
        );
    }

    #[test]
    fn dialogs_have_their_own_keys_and_navigate_alike() {
        assert_eq!(
            lookup_modal(&key(KeyCode::Char('y')), M::ConfirmQuit),
            Some(A::Confirm)
        );
        assert_eq!(lookup_modal(&key(KeyCode::Char('x')), M::ConfirmQuit), None);
        // Every overlay that scrolls takes the same page keys.
        for kind in ModalKind::ALL.into_iter().filter(|k| k.navigates()) {
            assert_eq!(
                lookup_modal(&key(KeyCode::PageDown), kind),
                Some(A::Nav(Nav::PageDown)),
                "{kind:?}"
            );
            assert_eq!(
                lookup_modal(
                    &KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
                    kind
                ),
                Some(A::Nav(Nav::PageUp)),
                "{kind:?}"
            );
        }
        // In an editor, letters are text.
        assert_eq!(lookup_modal(&key(KeyCode::Char('j')), M::Note), None);
    }

    #[test]
    fn every_dialog_can_be_left_and_has_a_hint_line() {
        for kind in ModalKind::ALL {
            assert!(
                bindings().any(|b| b.scope == Scope::Modal(kind) && b.action == A::Cancel),
                "{kind:?} has no way out"
            );
            assert!(!modal_hints(kind, |_| true, false).is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        let all: Vec<&Binding> = bindings().collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                if a.scope == b.scope {
                    for k in a.keys {
                        assert!(!b.keys.contains(k), "{k:?} bound twice in {:?}", a.scope);
                    }
                }
            }
        }
    }

    #[test]
    fn hints_follow_the_table() {
        let h = hints(Pane::Runbook);
        assert_eq!(h[0], ("Space".to_string(), "tick"));
        assert!(h.iter().any(|(k, v)| k == "q" && *v == "quit"));
        assert_eq!(
            modal_hints(M::Note, |_| true, false),
            "Enter saves · Esc cancels"
        );
        assert_eq!(
            modal_hints(M::ConfirmRun, |a| a != A::Confirm, false),
            "e edits the command · any other key cancels"
        );
        assert_eq!(
            modal_hints(M::PodDetail, |_| true, true),
            "j/k scroll · G newest · f follow · p previous run · P pin · Esc closes"
        );
    }
}
