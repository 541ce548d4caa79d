//! The status update editor (`u`), prefilled from a template.

use crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use super::super::incident;
use super::super::keys::{Action, ModalKind};
use super::super::msg::Fx;
use super::super::next::{Next, Open};
use super::super::state::App;
use crate::domain::incident::Audience;

/// A status update being written.
#[derive(Debug)]
pub struct UpdateDraft {
    /// The editor.
    pub editor: TextArea<'static>,
    /// Who it is for; Tab switches while the text is untouched.
    pub audience: Audience,
    /// The text it was prefilled with, to tell whether anything changed.
    pub original: String,
    /// Esc on a changed draft asks before throwing it away.
    pub confirm_discard: bool,
}

impl UpdateDraft {
    /// The template for `audience`, filled from the incident.
    pub fn new(app: &App, audience: Audience) -> Self {
        let text = incident::draft_text(app, audience);
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        UpdateDraft {
            editor: TextArea::new(lines),
            audience,
            original: text,
            confirm_discard: false,
        }
    }

    /// The scope its keys are looked up in.
    pub fn kind(&self) -> ModalKind {
        if self.confirm_discard {
            ModalKind::DiscardUpdate
        } else {
            ModalKind::StatusUpdate
        }
    }

    fn text(&self) -> String {
        self.editor.lines().join("\n")
    }

    fn changed(&self) -> bool {
        self.text().trim() != self.original.trim()
    }
}

/// Keys in the editor, and in its "discard?" question.
pub fn on_key(
    d: &mut UpdateDraft,
    action: Option<Action>,
    key: KeyEvent,
    app: &mut App,
    fx: &mut Fx,
) -> Next {
    if d.confirm_discard {
        if action == Some(Action::Confirm) {
            app.info("status update discarded");
            return Next::Close;
        }
        d.confirm_discard = false;
        return Next::Stay;
    }
    match action {
        Some(Action::Submit) => match incident::save_update(app, d.audience, &d.text(), fx) {
            Ok(()) => Next::Close,
            Err(e) => {
                app.error(e);
                Next::Stay
            }
        },
        Some(Action::Cancel) if d.changed() => {
            d.confirm_discard = true;
            Next::Stay
        }
        Some(Action::Cancel) => {
            app.info("status update cancelled");
            Next::Close
        }
        Some(Action::SwitchAudience) if !d.changed() => {
            let other = match d.audience {
                Audience::Internal => Audience::External,
                Audience::External => Audience::Internal,
            };
            Open::StatusUpdate(other).into()
        }
        _ => {
            d.editor.input(key);
            Next::Stay
        }
    }
}
