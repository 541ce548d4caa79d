//! Which of a step's several branches to follow.

use crossterm::event::KeyEvent;

use super::super::keys::{self, Action};
use super::super::msg::Fx;
use super::super::next::Next;
use super::super::scroll::from_top;
use super::super::state::App;
use super::super::steps;

/// Branches of one step to choose from.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchPick {
    /// The step they are written in.
    pub from: String,
    /// Label as written and target step id.
    pub options: Vec<(String, String)>,
    /// The highlighted one.
    pub cursor: usize,
}

/// Keys in the picker; keys it does not know leave it.
pub fn on_key(
    p: &mut BranchPick,
    action: Option<Action>,
    key: KeyEvent,
    app: &mut App,
    fx: &mut Fx,
) -> Next {
    let chosen = match action {
        Some(Action::Nav(nav)) => {
            p.cursor = from_top(p.cursor, nav, p.options.len());
            return Next::Stay;
        }
        Some(Action::Submit) => p.options.get(p.cursor).cloned(),
        Some(Action::Choose) => match keys::chosen(&key).and_then(|i| p.options.get(i)) {
            Some(o) => Some(o.clone()),
            None => return Next::Stay,
        },
        _ => return Next::Close,
    };
    if let Some((label, to)) = chosen {
        steps::jump(app, p.from.clone(), label, to, fx);
    }
    Next::Close
}
