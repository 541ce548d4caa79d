//! One pod's events and log, following new lines until scrolled.

use super::super::keys::Action;
use super::super::msg::Fx;
use super::super::next::Next;
use super::super::pods;
use super::super::state::App;

/// Keys while the details view is up; its state is the Pods pane's
/// [`crate::app::state::PodDetail`], which the log stream feeds.
pub fn on_key(action: Option<Action>, app: &mut App, fx: &mut Fx) -> Next {
    if app.pods.detail.is_none() {
        return Next::Close;
    }
    match action {
        Some(Action::Cancel) => {
            pods::close_details(app, fx);
            return Next::Close;
        }
        Some(Action::Nav(nav)) => pods::scroll_details(app, nav),
        Some(Action::TogglePrevious) => pods::toggle_details(app, true, fx),
        Some(Action::ToggleFollow) => pods::toggle_details(app, false, fx),
        Some(Action::PinPod) => {
            return super::super::next::Open::CommandLine("pin pod ".into()).into();
        }
        _ => {}
    }
    Next::Stay
}
