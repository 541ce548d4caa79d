//! Resolving, marking the incident mitigated and unticking a teammate's
//! step wait for y.

use super::super::incident;
use super::super::keys::Action;
use super::super::msg::Fx;
use super::super::next::{Next, UntickAsk};
use super::super::state::App;

/// `y` resolves; anything else keeps the incident open.
pub fn on_key(action: Option<Action>, app: &mut App, fx: &mut Fx) -> Next {
    match action {
        Some(Action::Confirm) => {
            incident::resolve(app, fx);
            // The main metric over the whole incident, for the postmortem.
            super::super::evidence::record_window(app, None, fx);
        }
        _ => app.info("not resolved"),
    }
    Next::Close
}

/// `y` unticks a step a teammate ticked; anything else leaves it.
pub fn on_untick_key(action: Option<Action>, ask: &UntickAsk, app: &mut App, fx: &mut Fx) -> Next {
    match action {
        Some(Action::Confirm) => super::super::steps::untick_confirmed(app, ask, fx),
        _ => app.info(format!("left ticked by {}", ask.by)),
    }
    Next::Close
}

/// `y` records that the impact has stopped; anything else does not.
pub fn on_mitigate_key(action: Option<Action>, app: &mut App, fx: &mut Fx) -> Next {
    match action {
        Some(Action::Confirm) => incident::mitigate(app, fx),
        _ => app.info("not marked mitigated"),
    }
    Next::Close
}
