//! A step whose required steps are not done: `O` overrides (recorded).

use super::super::keys::Action;
use super::super::msg::Fx;
use super::super::next::{GatePlan, Next};
use super::super::state::App;
use super::super::steps;

/// Keys at the gate; anything but the override leaves the step alone.
pub fn on_key(gate: &GatePlan, action: Option<Action>, app: &mut App, fx: &mut Fx) -> Next {
    match action {
        Some(Action::Override) => steps::override_gate(app, gate, fx),
        _ => {
            app.info(format!(
                "step {} left alone: do {} first",
                gate.step,
                gate.missing.join(", ")
            ));
            Next::Close
        }
    }
}
