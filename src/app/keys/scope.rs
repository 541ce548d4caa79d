//! Shorthands the table files write their rows with.

use crossterm::event::{KeyCode, KeyModifiers};

use super::{Action, Binding, ModalKind, Scope};

/// No modifier.
pub const NONE: KeyModifiers = KeyModifiers::NONE;
/// Shift (some terminals report it on capitals).
pub const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
/// Control.
pub const CTRL: KeyModifiers = KeyModifiers::CONTROL;

/// A row of any scope.
pub const fn row(
    scope: Scope,
    keys: &'static [(KeyCode, KeyModifiers)],
    action: Action,
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        scope,
        keys,
        action,
        help,
        hint,
    }
}

/// A row of a dialog's scope, with its hint.
pub const fn modal(
    kind: ModalKind,
    keys: &'static [(KeyCode, KeyModifiers)],
    action: Action,
    help: &'static str,
    hint: &'static str,
) -> Binding {
    row(Scope::Modal(kind), keys, action, help, Some(hint))
}

/// Esc alone.
pub const ESC: &[(KeyCode, KeyModifiers)] = &[(KeyCode::Esc, NONE)];
/// Enter alone.
pub const ENTER: &[(KeyCode, KeyModifiers)] = &[(KeyCode::Enter, NONE)];
/// Enter with any modifier, where a line break means nothing.
pub const ENTER_ANY: &[(KeyCode, KeyModifiers)] = &[
    (KeyCode::Enter, NONE),
    (KeyCode::Enter, SHIFT),
    (KeyCode::Enter, CTRL),
    (KeyCode::Enter, KeyModifiers::ALT),
];
/// Enter or Ctrl-Enter, where Shift- and Alt-Enter break the line.
pub const ENTER_OR_CTRL: &[(KeyCode, KeyModifiers)] =
    &[(KeyCode::Enter, NONE), (KeyCode::Enter, CTRL)];
/// `y`, with or without Shift.
pub const YES: &[(KeyCode, KeyModifiers)] = &[
    (KeyCode::Char('y'), NONE),
    (KeyCode::Char('Y'), SHIFT),
    (KeyCode::Char('Y'), NONE),
];
/// `1` to `9`, for pickers.
pub const DIGITS: &[(KeyCode, KeyModifiers)] = &[
    (KeyCode::Char('1'), NONE),
    (KeyCode::Char('2'), NONE),
    (KeyCode::Char('3'), NONE),
    (KeyCode::Char('4'), NONE),
    (KeyCode::Char('5'), NONE),
    (KeyCode::Char('6'), NONE),
    (KeyCode::Char('7'), NONE),
    (KeyCode::Char('8'), NONE),
    (KeyCode::Char('9'), NONE),
];
