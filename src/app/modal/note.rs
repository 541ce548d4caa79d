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
    /// A note editor holding `text` (one that could not be saved before).
    pub fn with_text(text: &str) -> Self {
        let mut d = Self::new();
        d.editor = TextArea::from(text.lines().map(str::to_string).collect::<Vec<_>>());
        d.editor.move_cursor(ratatui_textarea::CursorMove::Bottom);
        d.editor.move_cursor(ratatui_textarea::CursorMove::End);
        d
    }

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
            } else if app.incident.as_ref().is_some_and(|i| i.gone) {
                // Kept aside, not lost: the next note editor starts with it.
                app.watch.unsaved_note = Some(text);
                app.error(
                    "NOT SAVED: the journal was deleted; :recreate, then n brings this note back",
                );
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
