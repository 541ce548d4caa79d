//! The action item form (`A`): what, owner, due date, ticket.

use crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use super::super::incident;
use super::super::keys::Action;
use super::super::msg::Fx;
use super::super::next::Next;
use super::super::state::App;

/// Labels of the form's fields.
pub const ACTION_FIELDS: [&str; 4] = ["What", "Owner", "Due (YYYY-MM-DD)", "Ticket"];

/// An action item being entered.
#[derive(Debug, Default)]
pub struct ActionDraft {
    /// One single-line editor per field.
    pub fields: [TextArea<'static>; 4],
    /// The field with the cursor.
    pub focus: usize,
    /// Why the last save was refused.
    pub error: Option<String>,
}

/// Keys in the form.
pub fn on_key(
    d: &mut ActionDraft,
    action: Option<Action>,
    key: KeyEvent,
    app: &mut App,
    fx: &mut Fx,
) -> Next {
    let n = d.fields.len();
    match action {
        Some(Action::Cancel) => {
            app.info("action item discarded");
            return Next::Close;
        }
        Some(Action::NextField) => d.focus = (d.focus + 1) % n,
        Some(Action::PrevField) => d.focus = (d.focus + n - 1) % n,
        Some(Action::Submit) => {
            let v: Vec<String> = d.fields.iter().map(|f| f.lines().join(" ")).collect();
            match incident::add_action(app, &v[0], Some(&v[1]), Some(&v[2]), Some(&v[3]), fx) {
                Ok(()) => {
                    app.info("action item added");
                    return Next::Close;
                }
                Err(e) => d.error = Some(e),
            }
        }
        _ => {
            let f = d.focus;
            d.fields[f].input(key);
        }
    }
    Next::Stay
}
