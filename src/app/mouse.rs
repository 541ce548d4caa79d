//! The mouse: a click focuses the pane under the pointer and selects the
//! row clicked; the wheel scrolls the pane under the pointer (or the dialog
//! that is up). Where things are on screen comes from the last frame drawn.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::modal::Mode;
use super::msg::Fx;
use super::scroll::Nav;
use super::state::{App, Pane};

pub use super::msg::MouseAct;

/// Lines one wheel notch moves a document.
const WHEEL_LINES: usize = 3;

/// Applies a mouse action at a place on screen: the pane there and, on a
/// list row, its item.
pub fn on_mouse(
    app: &mut App,
    mode: &mut Mode,
    act: MouseAct,
    at: Option<(Pane, Option<usize>)>,
    fx: &mut Fx,
) {
    if !mode.is_normal() {
        // A dialog is up: the wheel moves through it like j/k; clicks do
        // nothing, so none can answer a question by accident.
        let code = match act {
            MouseAct::WheelDown => KeyCode::Down,
            MouseAct::WheelUp => KeyCode::Up,
            MouseAct::Click => return,
        };
        let key = KeyEvent::new(code, KeyModifiers::NONE);
        let next = super::modal::on_key(mode, key, app, fx);
        super::modal::apply(mode, app, next);
        return;
    }
    let Some((pane, item)) = at else {
        return;
    };
    match act {
        MouseAct::Click => {
            app.focus = pane;
            if let Some(i) = item {
                select(app, pane, i);
            }
        }
        MouseAct::WheelDown | MouseAct::WheelUp => {
            let nav = if act == MouseAct::WheelDown {
                Nav::Down
            } else {
                Nav::Up
            };
            if pane == Pane::Runbook {
                // The document scrolls; the step cursor stays.
                for _ in 0..WHEEL_LINES {
                    app.runbook.scroll(nav);
                }
            } else {
                super::actions::navigate_pane(app, pane, nav);
            }
        }
    }
}

/// A click on row `i` of a list selects it.
fn select(app: &mut App, pane: Pane, i: usize) {
    match pane {
        Pane::Alerts => {
            app.alerts.mark_seen();
            app.alerts.select_at(i);
        }
        Pane::Pods => app.pods.cursor = i,
        Pane::Timeline => {
            let len = app.timeline_len();
            app.timeline_scroll = len.saturating_sub(1).saturating_sub(i);
        }
        Pane::Runbook | Pane::Metrics => {}
    }
}
