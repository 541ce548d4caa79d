//! The note editor: free text for the timeline.

use crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use super::super::keys::{Action, ModalKind};
use super::super::msg::{Fx, record};
use super::super::next::Next;
use super::super::state::App;
use crate::domain::incident::EventKind;

/// A note being written.
#[derive(Debug)]
pub struct NoteDraft {
    /// The editor.
    pub editor: TextArea<'static>,
}

impl NoteDraft {
    /// An empty note with a hint of what goes in it.
    pub fn new() -> Self {
        let mut editor = TextArea::default();
        let hints = super::super::keys::modal_hints(ModalKind::Note, |_| true, false);
        editor.set_placeholder_text(format!("What did you see or do? {hints}."));
        NoteDraft { editor }
    }
}

impl Default for NoteDraft {
    fn default() -> Self {
        Self::new()
    }
}

/// Keys in the note editor.
pub fn on_key(
    d: &mut NoteDraft,
    action: Option<Action>,
    key: KeyEvent,
    app: &mut App,
    fx: &mut Fx,
) -> Next {
    match action {
        Some(Action::Cancel) => {
            app.info("note discarded");
            Next::Close
        }
        Some(Action::Submit) => {
            let text = d.editor.lines().join("\n").trim().to_string();
            if text.is_empty() {
                app.info("empty note discarded");
            } else {
                record(app, EventKind::Note { text }, fx);
            }
            Next::Close
        }
        _ => {
            d.editor.input(key);
            Next::Stay
        }
    }
}
