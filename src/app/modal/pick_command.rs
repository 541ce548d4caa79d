//! Which of a step's several commands to run.

use crossterm::event::KeyEvent;

use super::super::keys::{self, Action};
use super::super::msg::Fx;
use super::super::next::Next;
use super::super::scroll::from_top;
use super::super::state::App;
use super::super::steps;

/// The commands of one step to choose from.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandPick {
    /// The step's id.
    pub step: String,
    /// Where its progress is recorded.
    pub at: crate::domain::incident::StepAt,
    /// Its commands, placeholders filled where labels allow.
    pub options: Vec<String>,
    /// They are PromQL queries, not shell commands.
    pub query: bool,
    /// The highlighted one.
    pub cursor: usize,
}

/// Keys in the picker.
pub fn on_key(
    p: &mut CommandPick,
    action: Option<Action>,
    key: KeyEvent,
    app: &mut App,
    fx: &mut Fx,
) -> Next {
    match action {
        Some(Action::Cancel) => Next::Close,
        Some(Action::Nav(nav)) => {
            p.cursor = from_top(p.cursor, nav, p.options.len());
            Next::Stay
        }
        Some(Action::Submit) => steps::pick(app, &p.at, p.cursor, fx),
        Some(Action::Choose) => match keys::chosen(&key).filter(|i| *i < p.options.len()) {
            Some(i) => steps::pick(app, &p.at, i, fx),
            None => Next::Stay,
        },
        _ => Next::Stay,
    }
}
