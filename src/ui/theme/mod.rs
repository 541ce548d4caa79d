//! Every colour and style in one place, for the palette this terminal
//! wants (dark, light or none: see [`crate::look`]). The palette in force
//! is set for the frame being drawn ([`set`]); [`finish`] then fits the
//! drawn frame to the terminal (ASCII only, fewer colours).

pub mod finish;

use std::cell::Cell;

use ratatui::style::{Color, Modifier, Style};

use crate::domain::severity::Sev;
use crate::look::{Look, Palette};

thread_local! {
    /// The look of the frame being drawn on this thread.
    static LOOK: Cell<Look> = Cell::new(Look::default());
}

/// Draws what follows on this thread with `look`.
pub fn set(look: Look) {
    LOOK.with(|l| l.set(look));
}

/// The look in force.
pub fn look() -> Look {
    LOOK.with(Cell::get)
}

fn palette() -> Palette {
    look().palette
}

/// Light-background stand-in for yellow, which is unreadable on white.
const AMBER: Color = Color::Indexed(130);

/// Marks the row under a list's cursor in the pane's left border, so the
/// selection shows without colour too.
pub fn marker() -> &'static str {
    "▶"
}

/// Pane border: bright when focused so the eye finds where keys go.
pub fn border(focused: bool) -> Style {
    match (palette(), focused) {
        (Palette::Mono, true) => Style::new().add_modifier(Modifier::BOLD),
        (Palette::Mono, false) => Style::new().add_modifier(Modifier::DIM),
        (Palette::Light, true) => Style::new().fg(Color::Blue),
        (_, true) => Style::new().fg(Color::Cyan),
        (_, false) => Style::new().add_modifier(Modifier::DIM),
    }
}

/// The focused pane's border is thick in monochrome, where no colour can
/// say which pane keys go to.
pub fn border_type(focused: bool) -> ratatui::widgets::BorderType {
    if focused && palette() == Palette::Mono {
        ratatui::widgets::BorderType::Thick
    } else {
        ratatui::widgets::BorderType::Plain
    }
}

/// Pane title, matching its border.
pub fn title(focused: bool) -> Style {
    let s = Style::new().add_modifier(Modifier::BOLD);
    match (palette(), focused) {
        (Palette::Mono, true) => s.add_modifier(Modifier::UNDERLINED),
        (Palette::Light, true) => s.fg(Color::Blue),
        (Palette::Dark, true) => s.fg(Color::Cyan),
        (_, false) => s,
    }
}

/// Secondary text that should recede.
pub fn dim() -> Style {
    // Faint, not colour 8: that is the background of some dark themes.
    Style::new().add_modifier(Modifier::DIM)
}

/// Selection bar.
pub fn selected() -> Style {
    let s = Style::new().add_modifier(Modifier::BOLD);
    // A background always with its own foreground, so no theme leaves
    // default text on it.
    match palette() {
        Palette::Dark => s.bg(Color::Rgb(40, 50, 70)).fg(Color::White),
        Palette::Light => s.bg(Color::Rgb(200, 215, 240)).fg(Color::Black),
        Palette::Mono => s.add_modifier(Modifier::REVERSED),
    }
}

/// The row under a list's cursor: reversed, so it shows without colour.
pub fn cursor() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

/// Runbook section headings.
pub fn heading() -> Style {
    Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
}

/// Commands and code spans.
pub fn command() -> Style {
    match palette() {
        Palette::Dark => Style::new().fg(Color::Gray),
        Palette::Light => Style::new().fg(Color::Blue),
        Palette::Mono => Style::new(),
    }
}

/// A placeholder filled from the alert's labels.
pub fn filled() -> Style {
    Style::new()
        .fg(Color::Green)
        .add_modifier(Modifier::UNDERLINED)
}

/// A placeholder with no matching label: loud, so nobody runs it as is.
pub fn missing() -> Style {
    let s = Style::new().add_modifier(Modifier::BOLD);
    match palette() {
        Palette::Mono => s.add_modifier(Modifier::REVERSED | Modifier::UNDERLINED),
        _ => s.fg(Color::White).bg(Color::Red),
    }
}

/// Ticked steps.
pub fn done() -> Style {
    Style::new().fg(Color::Green)
}

/// Healthy states.
pub fn ok() -> Style {
    Style::new().fg(Color::Green)
}

/// States that need a look.
pub fn warn() -> Style {
    match palette() {
        Palette::Dark => Style::new().fg(Color::Yellow),
        Palette::Light => Style::new().fg(AMBER),
        Palette::Mono => Style::new().add_modifier(Modifier::BOLD),
    }
}

/// States that need action now.
pub fn bad() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

/// The message line when it reports an error.
pub fn error_line() -> Style {
    match palette() {
        Palette::Mono => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        _ => Style::new().fg(Color::White).bg(Color::Red),
    }
}

/// Background of the status line.
pub fn status_bar() -> Style {
    match palette() {
        Palette::Dark => Style::new().bg(Color::Rgb(30, 30, 40)).fg(Color::Gray),
        Palette::Light => Style::new().bg(Color::Rgb(225, 225, 232)).fg(Color::Black),
        Palette::Mono => Style::new(),
    }
}

/// Colour for an alert `severity` label, by urgency rank.
pub fn alert_severity(rank: u8) -> Style {
    match rank {
        0 | 1 => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        2 => Style::new().fg(Color::LightRed),
        3 => warn(),
        4 => Style::new().fg(Color::Blue),
        _ => dim(),
    }
}

/// Incident severity badge, P0 the loudest.
pub fn incident_severity(sev: Sev) -> Style {
    let s = Style::new().add_modifier(Modifier::BOLD).fg(Color::White);
    if palette() == Palette::Mono {
        return Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED);
    }
    match sev {
        Sev::P0 => s.bg(Color::Red),
        Sev::P1 => s.bg(Color::LightRed),
        Sev::P2 => s.bg(Color::Yellow).fg(Color::Black),
    }
}

/// Colour for a pod status as kubectl prints it.
pub fn pod_status(status: &str) -> Style {
    match status {
        "Running" => ok(),
        "Completed" | "Succeeded" => dim(),
        "Pending" | "ContainerCreating" | "Terminating" | "PodInitializing" => warn(),
        s if s.starts_with("Init:") => warn(),
        _ => bad(),
    }
}

/// Marks alerts that arrived since the user last looked.
pub fn new_alert() -> Style {
    warn().add_modifier(Modifier::BOLD)
}
