//! The `/` filter line of a list pane: the list filters as you type.

use crossterm::event::KeyEvent;
use ratatui_textarea::{CursorMove, TextArea};

use super::super::keys::Action;
use super::super::next::Next;
use super::super::state::{App, Pane};

/// A filter being typed.
#[derive(Debug)]
pub struct FilterDraft {
    /// The list it filters: Alerts or Pods.
    pub pane: Pane,
    /// The filter text.
    pub editor: TextArea<'static>,
}

impl FilterDraft {
    /// Starts from the pane's current filter.
    pub fn new(app: &App, pane: Pane) -> Self {
        let current = match pane {
            Pane::Pods => app.pods.filter.clone(),
            _ => app.alerts.filter().to_string(),
        };
        let mut editor = TextArea::from([current]);
        editor.move_cursor(CursorMove::End);
        FilterDraft { pane, editor }
    }
}

/// Keys on the filter line.
pub fn on_key(d: &mut FilterDraft, action: Option<Action>, key: KeyEvent, app: &mut App) -> Next {
    let pods = d.pane == Pane::Pods;
    match action {
        Some(Action::Cancel) => {
            if pods {
                app.pods.filter.clear();
            } else {
                app.alerts.set_filter(String::new());
            }
            Next::Close
        }
        Some(Action::Submit) => {
            if !pods && !app.alerts.filter().is_empty() {
                app.info(format!(
                    "{} alert(s) match /{}",
                    app.alerts.view().len(),
                    app.alerts.filter()
                ));
            }
            Next::Close
        }
        _ => {
            d.editor.input(key);
            apply(d, app);
            Next::Stay
        }
    }
}

/// Filters the list by what the line holds now.
pub fn apply(d: &FilterDraft, app: &mut App) {
    let text = d.editor.lines().join(" ");
    if d.pane == Pane::Pods {
        app.pods.filter = text;
        app.pods.cursor = 0;
    } else {
        app.alerts.set_filter(text);
    }
}
