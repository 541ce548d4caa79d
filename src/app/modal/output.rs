//! The output panel of the latest command.

use super::super::keys::Action;
use super::super::msg::Fx;
use super::super::next::Next;
use super::super::runs;
use super::super::scroll::from_bottom;
use super::super::state::App;

/// Keys in the panel; its state is the latest run's
/// [`crate::app::state::RunView`], which the runner feeds.
pub fn on_key(action: Option<Action>, app: &mut App, fx: &mut Fx) -> Next {
    let Some(run) = app.runs.latest.as_mut() else {
        return Next::Close;
    };
    match action {
        Some(Action::Cancel) => Next::Close,
        Some(Action::Nav(nav)) => {
            run.scroll = from_bottom(run.scroll, nav, run.lines.len());
            Next::Stay
        }
        Some(Action::Rollback) => runs::rollback_latest(app, fx),
        Some(Action::PinOutput) => {
            super::super::next::Open::CommandLine("pin output ".into()).into()
        }
        _ => Next::Stay,
    }
}
