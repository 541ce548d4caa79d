//! The terminal: raw mode, the alternate screen, bracketed paste and mouse
//! reporting, always
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
    let _ = crossterm::execute!(
        std::io::stdout(),
        crossterm::event::DisableBracketedPaste,
        crossterm::event::DisableMouseCapture
    );
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
pub fn init(mouse: bool) -> std::io::Result<(DefaultTerminal, Guard)> {
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
    if mouse {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
    }
    Ok((terminal, guard))
}

/// Whether this terminal is one known to show OSC 8 hyperlinks. Inside tmux
/// or screen the answer depends on their own settings, so no.
pub fn shows_hyperlinks() -> bool {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if !var("TMUX").is_empty() || var("TERM").starts_with("screen") {
        return false;
    }
    matches!(
        var("TERM_PROGRAM").as_str(),
        "iTerm.app" | "WezTerm" | "vscode" | "ghostty" | "Hyper"
    ) || !var("KITTY_WINDOW_ID").is_empty()
        || !var("WT_SESSION").is_empty()
        || var("TERM").contains("kitty")
        || var("TERM").starts_with("foot")
        || var("VTE_VERSION").parse::<u32>().is_ok_and(|v| v >= 5000)
}
