//! One timeline entry in full: j/k walk to the neighbours, the paging keys
//! scroll a long one, `y` copies it.

use super::super::keys::Action;
use super::super::msg::{Effect, Fx};
use super::super::next::Next;
use super::super::scroll::{Nav, from_top};
use super::super::state::App;

/// Which entry is open and how far it is scrolled.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EntryDraft {
    /// The entry, counted from the oldest.
    pub row: usize,
    /// First line shown.
    pub top: usize,
}

/// Keys while an entry is open.
pub fn on_key(d: &mut EntryDraft, action: Option<Action>, app: &mut App, fx: &mut Fx) -> Next {
    let len = app.timeline_len();
    match action {
        Some(Action::Cancel) => return Next::Close,
        Some(Action::CopyEntry) => copy(app, d.row, fx),
        Some(Action::Nav(nav @ (Nav::Up | Nav::Down | Nav::Top | Nav::Bottom))) => {
            d.row = from_top(d.row, nav, len);
            d.top = 0;
            // The pane's cursor follows, so closing leaves it here.
            app.timeline_scroll = len.saturating_sub(1) - d.row.min(len.saturating_sub(1));
        }
        Some(Action::Nav(nav)) => {
            let rows = app.overlay_max.map_or(usize::MAX / 2, |m| m + 1);
            d.top = from_top(d.top, nav, rows);
        }
        _ => {}
    }
    Next::Stay
}

/// `y`: the entry as the reader sees it, onto the clipboard through OSC 52;
/// a secret in it stays masked unless this terminal revealed them.
pub fn copy(app: &mut App, row: usize, fx: &mut Fx) {
    let Some(r) = app.timeline_row(row) else {
        app.error("no timeline entry selected");
        return;
    };
    let text = format!(
        "{} UTC {}: {}",
        crate::domain::time::utc_datetime(r.at()),
        r.by(),
        r.text()
    );
    let shown = crate::domain::redact::mask(&text, app.reveal);
    let masked = shown != text;
    fx.push(Effect::Copy(
        crate::sanitize::multiline(&shown).into_owned(),
    ));
    app.info(if masked {
        "copied the entry (secrets masked; :reveal copies them as typed)"
    } else {
        "copied the entry"
    });
}
