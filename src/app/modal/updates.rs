//! The list of status updates (`:updates`).

use super::super::keys::Action;
use super::super::msg::{Effect, Fx};
use super::super::next::Next;
use super::super::state::App;

/// `y`: the newest status update onto the clipboard, as it would be sent
/// (secrets masked unless this terminal revealed them).
fn copy_newest(app: &mut App, fx: &mut Fx) {
    let Some(u) = app.incident_state().and_then(|i| i.updates.last()) else {
        app.info("no status update to copy yet");
        return;
    };
    let shown = crate::domain::redact::mask(&u.text, app.reveal).into_owned();
    let what = format!("copied the {} status update", u.audience.as_str());
    fx.push(Effect::Copy(
        crate::sanitize::multiline(&shown).into_owned(),
    ));
    app.info(what);
}

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
pub fn on_key(d: &mut UpdatesDraft, action: Option<Action>, app: &mut App, fx: &mut Fx) -> Next {
    if action == Some(Action::CopyEntry) {
        copy_newest(app, fx);
        return Next::Stay;
    }
    super::help::read_only_overlay(&mut d.top, action, super::help::measured(app, rows(app)))
}
