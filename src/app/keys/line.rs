//! The command line's editing keys: completion, history and the shell's
//! line-editing keys. Kept in their own rows so help lists them with the
//! rest of the `:` line's keys.

use crossterm::event::KeyCode;

use super::scope::*;
use super::{Action as A, Binding, ModalKind as M};

/// An edit of the `:` line that the text editor alone would not do the
/// shell's way (its own Ctrl-u undoes, its Ctrl-w stops at punctuation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEdit {
    /// Complete the word before the cursor; again: the next candidate.
    Complete,
    /// Back through the candidates.
    CompleteBack,
    /// The previous command line from the history.
    Older,
    /// The next one; past the newest, what was being typed.
    Newer,
    /// The cursor to the start of the line.
    Start,
    /// The cursor to the end of the line.
    End,
    /// Delete from the start of the line to the cursor.
    KillToStart,
    /// Delete from the cursor to the end of the line.
    KillToEnd,
    /// Delete the word before the cursor (back to a space).
    DeleteWord,
}

const fn line(
    keys: &'static [(KeyCode, crossterm::event::KeyModifiers)],
    edit: LineEdit,
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    row(
        super::Scope::Modal(M::CommandLine),
        keys,
        A::Line(edit),
        help,
        hint,
    )
}

/// Keys on the `:` line besides Enter and Esc.
pub const LINE_KEYS: &[Binding] = &[
    line(
        &[(KeyCode::Tab, NONE)],
        LineEdit::Complete,
        "complete the command, runbook, severity, role, pod or namespace (again: the next one)",
        Some("completes"),
    ),
    line(
        &[(KeyCode::BackTab, SHIFT), (KeyCode::BackTab, NONE)],
        LineEdit::CompleteBack,
        "back through the completions",
        None,
    ),
    line(
        &[(KeyCode::Up, NONE), (KeyCode::Char('p'), CTRL)],
        LineEdit::Older,
        "the previous command line (history)",
        Some("history"),
    ),
    line(
        &[(KeyCode::Down, NONE), (KeyCode::Char('n'), CTRL)],
        LineEdit::Newer,
        "the next command line; past the newest, what you were typing",
        None,
    ),
    line(
        &[(KeyCode::Char('a'), CTRL), (KeyCode::Home, NONE)],
        LineEdit::Start,
        "to the start of the line",
        None,
    ),
    line(
        &[(KeyCode::Char('e'), CTRL), (KeyCode::End, NONE)],
        LineEdit::End,
        "to the end of the line",
        None,
    ),
    line(
        &[(KeyCode::Char('u'), CTRL)],
        LineEdit::KillToStart,
        "delete to the start of the line",
        None,
    ),
    line(
        &[(KeyCode::Char('w'), CTRL)],
        LineEdit::DeleteWord,
        "delete the word before the cursor",
        None,
    ),
    line(
        &[(KeyCode::Char('k'), CTRL)],
        LineEdit::KillToEnd,
        "delete to the end of the line",
        None,
    ),
];
