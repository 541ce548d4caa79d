//! A change to the cluster, stated exactly, waiting for y.

use super::super::keys::Action;
use super::super::msg::Fx;
use super::super::next::Next;
use super::super::state::App;
use crate::sources::kubernetes::Action as ClusterAction;

/// `y` carries out the change; anything else cancels it.
pub fn on_key(action: &ClusterAction, key: Option<Action>, app: &mut App, fx: &mut Fx) -> Next {
    match key {
        Some(Action::Confirm) => super::super::pods::perform(app, action.clone(), fx),
        _ => app.info("cancelled: nothing was changed"),
    }
    Next::Close
}
