//! The help overlay: the key table, every scope of it, and the commands.

use super::super::keys::{self, Action};
use super::super::next::Next;
use super::super::scroll::from_top;

/// How far help is scrolled.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HelpDraft {
    /// First row shown.
    pub top: usize,
}

/// Keys while help is up.
pub fn on_key(d: &mut HelpDraft, action: Option<Action>) -> Next {
    read_only_overlay(&mut d.top, action, keys::help().rows())
}

/// Keys of an overlay that is only read: its Cancel row closes it, the
/// navigation keys scroll its `rows`, and nothing else does anything.
pub fn read_only_overlay(top: &mut usize, action: Option<Action>, rows: usize) -> Next {
    match action {
        Some(Action::Cancel) => Next::Close,
        Some(Action::Nav(nav)) => {
            *top = from_top(*top, nav, rows);
            Next::Stay
        }
        _ => Next::Stay,
    }
}
