//! The terminal: raw mode and the alternate screen, always given back — on
//! normal exit, on error (drop guard), on panic (hook chained before the
//! previous one) and on SIGTERM/SIGHUP (handled by the event loop as a quit).

use std::sync::Once;

use ratatui::DefaultTerminal;

/// Restores the terminal when dropped, whatever path leaves the cockpit.
pub struct Guard {
    _private: (),
}

impl Drop for Guard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

static HOOK: Once = Once::new();

/// Logs panics to the log file; ratatui's own hook (installed by `init`) runs
/// first and restores the terminal, then chains to this one and the default.
fn install_log_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            tracing::error!("panic: {info}");
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
    install_log_hook();
    let terminal = ratatui::try_init()?;
    Ok((terminal, Guard { _private: () }))
}
