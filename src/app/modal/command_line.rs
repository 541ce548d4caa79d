//! The `:` command line.

use crossterm::event::KeyEvent;
use ratatui_textarea::{CursorMove, TextArea};

use super::super::command;
use super::super::keys::Action;
use super::super::msg::Fx;
use super::super::next::Next;
use super::super::state::App;

/// A command being typed.
#[derive(Debug)]
pub struct CommandDraft {
    /// The line, without the `:`.
    pub editor: TextArea<'static>,
}

impl CommandDraft {
    /// A line starting with `text`, the cursor at its end.
    pub fn new(text: &str) -> Self {
        let mut editor = TextArea::from([text.to_string()]);
        editor.move_cursor(CursorMove::End);
        CommandDraft { editor }
    }

    /// What has been typed.
    pub fn text(&self) -> String {
        self.editor.lines().join(" ")
    }
}

/// Keys on the command line.
pub fn on_key(
    d: &mut CommandDraft,
    action: Option<Action>,
    key: KeyEvent,
    app: &mut App,
    fx: &mut Fx,
) -> Next {
    match action {
        Some(Action::Cancel) => Next::Close,
        Some(Action::Submit) => match command::parse(&d.text()) {
            Ok(cmd) => match super::super::commands::run(app, cmd, fx) {
                Next::Stay => Next::Close,
                other => other,
            },
            Err(e) => {
                app.error(e);
                Next::Close
            }
        },
        _ => {
            d.editor.input(key);
            Next::Stay
        }
    }
}
