//! The Timeline pane: the incident's events, newest at the bottom.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::{clean, clip, fit, masked};
use super::{framed, put_line, theme};
use crate::app::keys;
use crate::app::state::{App, Pane};
use crate::domain::alert::AlertState;
use crate::domain::incident::EventKind;
use crate::domain::time::utc_clock;

fn style(kind: &EventKind) -> (&'static str, Style) {
    match kind {
        EventKind::Declared { .. } => ("⚑", theme::bad()),
        EventKind::StepDone { .. } => ("✔", theme::done()),
        EventKind::StepUndone { .. } => ("↺", theme::warn()),
        EventKind::Note { .. } => ("✎", Style::new().fg(ratatui::style::Color::Cyan)),
        EventKind::SeverityChanged { .. } => ("!", theme::warn()),
        EventKind::Acknowledged
        | EventKind::Mitigated
        | EventKind::Resolved
        | EventKind::Reopened => ("●", theme::heading()),
        EventKind::AlertChanged { state, .. } => match state {
            AlertState::Firing => ("▲", theme::bad()),
            AlertState::Resolved => ("▼", theme::done()),
            AlertState::Silenced | AlertState::Inhibited => ("◌", theme::dim()),
        },
        EventKind::SilenceCreated { .. } | EventKind::SilenceExpired { .. } => ("◌", theme::warn()),
        EventKind::RunbookAttached { .. } => ("☰", theme::heading()),
        EventKind::ClusterAction { ok: true, .. } => ("⎈", theme::warn()),
        EventKind::RoleAssigned { .. } => ("☺", theme::heading()),
        EventKind::StatusUpdate { .. } => ("✉", Style::new().fg(ratatui::style::Color::Cyan)),
        EventKind::ActionItem { .. } => ("→", theme::heading()),
        EventKind::DeadlineMissed { .. } => ("✖", theme::bad()),
        EventKind::ClusterAction { ok: false, .. } => ("⎈", theme::bad()),
        EventKind::CommandStarted { .. } => ("$", theme::command()),
        EventKind::CommandFinished { outcome, .. } if outcome.is_success() => ("$", theme::done()),
        EventKind::CommandFinished { .. } => ("$", theme::bad()),
        EventKind::StepVerified { .. } => ("✔", theme::done()),
        EventKind::GateOverridden { .. } => ("⚠", theme::warn()),
        EventKind::BranchTaken { .. } => ("↪", theme::heading()),
    }
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    let events = app
        .incident
        .as_ref()
        .map(|i| i.events.as_slice())
        .unwrap_or_default();
    // The events are kept in their order; the alert's start is a row of
    // its own at its place among them.
    let fired = app.incident_state().map(|inc| {
        let pos = events.partition_point(|e| e.effective() <= inc.alert.starts_at);
        (pos, inc.alert.starts_at, inc.alert.name.clone())
    });
    let rows = events.len() + usize::from(fired.is_some());
    // Scrolling back never goes past the oldest row.
    let height = area.height.saturating_sub(2) as usize;
    let scroll = app.timeline_scroll.min(rows.saturating_sub(height));
    let mut title = vec![Span::raw(format!("Timeline {} events", events.len()))];
    if scroll > 0 {
        title.push(Span::styled(" · scrolled (G follows)", theme::warn()));
    }
    if app.watch.pending > 0 {
        title.push(Span::styled(
            format!(" · saving {}…", app.watch.pending),
            theme::warn(),
        ));
    }
    let inner = framed(title, focused, area, buf);
    if app.incident.is_none() {
        put_line(
            Line::styled(
                format!(
                    "No incident open. Select an alert and press {}.",
                    keys::pane_key(Pane::Alerts, keys::Action::Open)
                ),
                theme::dim(),
            ),
            inner,
            0,
            buf,
        );
        return;
    }
    let end = rows - scroll;
    let start = end.saturating_sub(height);
    let width = inner.width as usize;
    // Only the rows in view are described.
    for (row, r) in (start..end).enumerate() {
        let (at, icon, st, by, described) = match &fired {
            Some((pos, at, name)) if r == *pos => (
                *at,
                "!",
                theme::bad(),
                crate::domain::incident::timeline::ALERT_AUTHOR.to_string(),
                format!("Alert {name} started firing"),
            ),
            _ => {
                let i = match &fired {
                    Some((pos, ..)) if r > *pos => r - 1,
                    _ => r,
                };
                let Some(e) = events.get(i) else { continue };
                let (icon, st) = style(&e.kind);
                (e.effective(), icon, st, e.author.clone(), e.describe())
            }
        };
        let who = fit(&clean(&by), 8);
        let fixed = 8 + 1 + 2 + who.chars().count() + 1;
        let text = clip(
            &clean(&masked(&described, app.reveal)),
            width.saturating_sub(fixed),
        );
        let line = Line::from(vec![
            Span::styled(utc_clock(at), theme::dim()),
            Span::raw(" "),
            Span::styled(format!("{icon} "), st),
            Span::styled(who, theme::dim()),
            Span::raw(" "),
            Span::raw(text),
        ]);
        put_line(line, inner, row as u16, buf);
    }
}
