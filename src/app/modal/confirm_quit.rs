//! Quitting with an open incident or a running command waits for y or n.

use super::super::keys::Action;
use super::super::msg::Fx;
use super::super::next::Next;
use super::super::runs;
use super::super::state::App;

/// `y` quits (stopping a running command), `n` or Esc stays; other keys
/// leave the question up.
pub fn on_key(action: Option<Action>, app: &mut App, fx: &mut Fx) -> Next {
    match action {
        Some(Action::Confirm) => {
            runs::stop_for_quit(app, fx);
            app.quit = true;
            Next::Close
        }
        Some(Action::Cancel) => Next::Close,
        _ => Next::Stay,
    }
}
