//! The Incident panel (`i`): severity, clocks, roles, action items, updates.

use super::super::keys::Action;
use super::super::next::Next;
use super::super::state::App;

/// How far the panel is scrolled.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PanelDraft {
    /// First row shown.
    pub top: usize,
}

/// Rows the panel has: its fixed rows plus one per clock, action item and
/// on-call line (the UI's `incident::panel` draws exactly these).
pub fn rows(app: &App) -> usize {
    let Some(inc) = app.incident_state() else {
        return 0;
    };
    let fixed = 2 + 1 + 1 + 4 + 1 + 1 + 1 + 1;
    let clocks = app.clocks().len().max(1);
    let actions = inc.actions.len().max(1);
    fixed + clocks + actions + crate::app::exercise::panel_text(app).len()
}

/// Keys in the panel.
pub fn on_key(d: &mut PanelDraft, action: Option<Action>, app: &App) -> Next {
    super::help::read_only_overlay(&mut d.top, action, super::help::measured(app, rows(app)))
}
