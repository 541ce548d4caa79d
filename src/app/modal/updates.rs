//! The list of status updates (`:updates`).

use super::super::keys::Action;
use super::super::next::Next;
use super::super::state::App;

/// How far the list is scrolled.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UpdatesDraft {
    /// First row shown.
    pub top: usize,
}

/// Rows the list has: a heading and the text lines of each update (the UI's
/// `incident::updates` draws exactly these), or one line saying there are none.
pub fn rows(app: &App) -> usize {
    let Some(inc) = app.incident_state() else {
        return 0;
    };
    let n: usize = inc.updates.iter().map(|u| 1 + u.text.lines().count()).sum();
    n.max(1)
}

/// Keys in the list.
pub fn on_key(d: &mut UpdatesDraft, action: Option<Action>, app: &App) -> Next {
    super::help::read_only_overlay(&mut d.top, action, super::help::measured(app, rows(app)))
}
