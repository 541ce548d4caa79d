//! The terminal: raw mode, the alternate screen and bracketed paste, always
//! given back — on normal exit, on error (drop guard), on panic (hook chained
//! before the previous one) and on SIGTERM/SIGHUP (handled by the event loop
//! as a quit).

use std::sync::Once;

use ratatui::DefaultTerminal;

/// Restores the terminal when dropped, whatever path leaves the cockpit.
pub struct Guard {
    _private: (),
}

impl Drop for Guard {
    fn drop(&mut self) {
        leave_modes();
        ratatui::restore();
    }
}

/// Turns off what the cockpit turned on beyond raw mode and the alternate
/// screen (which ratatui gives back), so the shell the user returns to
/// treats a paste as a paste again.
fn leave_modes() {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
}

static HOOK: Once = Once::new();

/// Logs panics to the log file and turns bracketed paste off, then chains to
/// ratatui's hook (installed by `init`), which restores the terminal, and the
/// default one.
fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            tracing::error!("panic: {info}");
            leave_modes();
            previous(info);
        }));
    });
}

/// Enters raw mode and the alternate screen.
pub fn init() -> std::io::Result<(DefaultTerminal, Guard)> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(std::io::Error::other(
            "the cockpit is full-screen and needs an interactive terminal (stdin and stdout are not both a terminal)",
        ));
    }
    let terminal = ratatui::try_init()?;
    install_hook();
    let guard = Guard { _private: () };
    // A paste arrives as one piece of text, never as keystrokes.
    crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste)?;
    Ok((terminal, guard))
}
