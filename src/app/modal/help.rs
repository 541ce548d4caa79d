//! The help overlay: the key table, every scope of it, and the commands.

use super::super::keys::{self, Action};
use super::super::next::Next;
use super::super::scroll::from_top;
use super::super::state::App;

/// How far help is scrolled.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HelpDraft {
    /// First row shown.
    pub top: usize,
}

/// Keys while help is up.
pub fn on_key(d: &mut HelpDraft, action: Option<Action>, app: &App) -> Next {
    read_only_overlay(&mut d.top, action, measured(app, keys::help().rows()))
}

/// The rows an overlay can scroll through: as last drawn (wrapped to the
/// screen), else `unwrapped`.
pub fn measured(app: &App, unwrapped: usize) -> usize {
    app.overlay_max.map_or(unwrapped, |m| m + 1)
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
