//! Quitting with an open incident or a running command waits for y or n.

use super::super::keys::Action;
use super::super::msg::Fx;
use super::super::next::Next;
use super::super::state::App;
use super::super::steps;

/// `y` quits (stopping a running command), `n` or Esc stays; other keys
/// leave the question up.
pub fn on_key(action: Option<Action>, app: &mut App, fx: &mut Fx) -> Next {
    match action {
        Some(Action::Confirm) => {
            steps::stop_for_quit(app, fx);
            app.quit = true;
            Next::Close
        }
        Some(Action::Cancel) => Next::Close,
        _ => Next::Stay,
    }
}
