//! Every colour and style in one place.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::severity::Sev;

/// Pane border: bright when focused so the eye finds where keys go.
pub fn border(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    }
}

/// Pane title, matching its border.
pub fn title(focused: bool) -> Style {
    let s = Style::new().add_modifier(Modifier::BOLD);
    if focused { s.fg(Color::Cyan) } else { s }
}

/// Secondary text that should recede.
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// Selection bar.
pub fn selected() -> Style {
    Style::new()
        .bg(Color::Rgb(40, 50, 70))
        .add_modifier(Modifier::BOLD)
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
    Style::new().fg(Color::Gray)
}

/// A placeholder filled from the alert's labels.
pub fn filled() -> Style {
    Style::new()
        .fg(Color::Green)
        .add_modifier(Modifier::UNDERLINED)
}

/// A placeholder with no matching label: loud, so nobody runs it as is.
pub fn missing() -> Style {
    Style::new()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD)
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
    Style::new().fg(Color::Yellow)
}

/// States that need action now.
pub fn bad() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

/// The message line when it reports an error.
pub fn error_line() -> Style {
    Style::new().fg(Color::White).bg(Color::Red)
}

/// Background of the status line.
pub fn status_bar() -> Style {
    Style::new().bg(Color::Rgb(30, 30, 40)).fg(Color::Gray)
}

/// Colour for an alert `severity` label, by urgency rank.
pub fn alert_severity(rank: u8) -> Style {
    match rank {
        0 | 1 => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        2 => Style::new().fg(Color::LightRed),
        3 => Style::new().fg(Color::Yellow),
        4 => Style::new().fg(Color::Blue),
        _ => Style::new().fg(Color::Gray),
    }
}

/// Incident severity badge, P0 the loudest.
pub fn incident_severity(sev: Sev) -> Style {
    let s = Style::new().add_modifier(Modifier::BOLD).fg(Color::White);
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
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}
