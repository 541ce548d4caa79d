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
    match action {
        Some(Action::Cancel) => Next::Close,
        Some(Action::Nav(nav)) => {
            d.top = from_top(d.top, nav, keys::help().rows());
            Next::Stay
        }
        _ => Next::Stay,
    }
}
