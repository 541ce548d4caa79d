//! A chaos experiment's pre-flight: the checklist stays up while its
//! answers come in, and the fault is applied only when every check passed
//! and the experiment's name (and a production context's) was typed.

use crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use super::super::keys::Action;
use super::super::msg::Fx;
use super::super::next::Next;
use super::super::state::App;

/// What the responder typed, and why the last try was refused.
#[derive(Debug, Default)]
pub struct GamedayDraft {
    /// The name being typed.
    pub input: TextArea<'static>,
    /// Why the last Enter applied nothing.
    pub error: Option<String>,
}

/// Enter starts (when allowed), Esc applies nothing, other keys type.
pub fn on_key(
    d: &mut GamedayDraft,
    action: Option<Action>,
    key: KeyEvent,
    app: &mut App,
    fx: &mut Fx,
) -> Next {
    match action {
        Some(Action::Cancel) => {
            if let Some(g) = app.gameday.as_mut() {
                g.phase = super::super::gameday::Phase::Done;
            }
            app.info("game-day not started: nothing was applied");
            Next::Close
        }
        Some(Action::Submit) => {
            let typed = d.input.lines().join("").trim().to_string();
            match super::super::gameday::start(app, &typed, fx) {
                Ok(()) => Next::Close,
                Err(e) => {
                    d.error = Some(e);
                    Next::Stay
                }
            }
        }
        _ => {
            d.input.input(key);
            d.error = None;
            Next::Stay
        }
    }
}
