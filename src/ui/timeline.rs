//! The Timeline pane (the incident's events, newest at the bottom, with a
//! cursor) and the view of one entry in full.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::{clean, clip, fit, masked, wrap};
use super::{framed, put_line, theme};
use crate::app::keys;
use crate::app::state::{App, Pane, TimelineRow};
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
        // Not ☰: Unicode 16 made the trigrams wide, and terminals disagree.
        EventKind::RunbookAttached { .. } => ("≡", theme::heading()),
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
        EventKind::Injected { .. } => ("☇", theme::bad()),
        EventKind::Recovered { .. } => ("✔", theme::done()),
        EventKind::RpoMeasured { .. } => ("◷", theme::heading()),
        EventKind::DrillScored { score } if score.passed() => ("★", theme::done()),
        EventKind::DrillScored { .. } => ("★", theme::bad()),
        EventKind::ExperimentStarted { .. } => ("☇", theme::warn()),
        EventKind::Evidence { .. } | EventKind::MetricWindow { .. } => ("▣", theme::heading()),
        EventKind::Shared { .. } | EventKind::Merged { .. } => ("⇄", theme::heading()),
        EventKind::ExperimentEnded { outcome, .. } => match outcome {
            crate::domain::incident::Outcome::Held => ("★", theme::done()),
            crate::domain::incident::Outcome::Stopped => ("★", theme::warn()),
            _ => ("★", theme::bad()),
        },
    }
}

/// The Timeline pane: a cursor on one entry (following the newest until
/// moved), each entry on one line cut at the edge, or wrapped in full.
pub fn render(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    let entries = app.timeline_len();
    let plural = if entries == 1 { "entry" } else { "entries" };
    let mut title = vec![Span::raw(format!("Timeline {entries} {plural}"))];
    if app.timeline_scroll > 0 {
        title.push(Span::styled(" · back (G follows)", theme::warn()));
    }
    if app.timeline_wrap {
        title.push(Span::styled(" · wrapped", theme::dim()));
    }
    if app.watch.pending > 0 {
        title.push(Span::styled(
            format!(" · saving {}…", app.watch.pending),
            theme::warn(),
        ));
    }
    let inner = framed(title, focused, area, buf);
    if app.incident.is_none() {
        // With no alert source, the way in is declaring by hand.
        let how = if app.replay.is_some() {
            "Not declared yet at this point of the replay (] jumps to it).".to_string()
        } else if app.alerts.status.off.is_some() {
            "No incident open: :declare TITLE opens one.".to_string()
        } else {
            format!(
                "No incident open. Select an alert and press {}.",
                keys::pane_key(Pane::Alerts, keys::Action::Open)
            )
        };
        put_line(Line::styled(how, theme::dim()), inner, 0, buf);
        return;
    }
    let Some(sel) = app.timeline_selected() else {
        return;
    };
    let (len, height) = (app.timeline_len(), inner.height as usize);
    let width = inner.width as usize;
    let lines_of = |i: usize| {
        row_lines(app, i, width, focused && i == sel)
            .into_iter()
            .map(|l| (i, l))
            .collect::<Vec<_>>()
    };
    // The cursor's row, then rows after it up to half the pane, rows
    // before it to fill, and after it again if the top was reached. Only
    // rows near the cursor are ever described.
    let mut shown: std::collections::VecDeque<Vec<(usize, Line<'static>)>> = [lines_of(sel)].into();
    let mut used = shown[0].len();
    let mut next = sel + 1;
    let fits = |used: usize, l: &Vec<(usize, Line<'static>)>, limit: usize| used + l.len() <= limit;
    while next < len {
        let l = lines_of(next);
        if !fits(used, &l, height.div_ceil(2).max(used)) {
            break;
        }
        used += l.len();
        shown.push_back(l);
        next += 1;
    }
    let mut prev = sel;
    while prev > 0 {
        let l = lines_of(prev - 1);
        if !fits(used, &l, height) {
            break;
        }
        used += l.len();
        shown.push_front(l);
        prev -= 1;
    }
    while next < len {
        let l = lines_of(next);
        if !fits(used, &l, height) {
            break;
        }
        used += l.len();
        shown.push_back(l);
        next += 1;
    }
    for (y, (i, line)) in shown.into_iter().flatten().take(height).enumerate() {
        put_line(line, inner, y as u16, buf);
        super::hits::row(inner, y as u16, Pane::Timeline, i);
    }
}

/// The lines of row `i`: one, cut at the edge, or all of it wrapped; the
/// selected row is marked and reversed, so it shows without colour too.
fn row_lines(app: &App, i: usize, width: usize, selected: bool) -> Vec<Line<'static>> {
    let Some(r) = app.timeline_row(i) else {
        return Vec::new();
    };
    let (icon, st) = match r {
        TimelineRow::Fired { .. } => ("!", theme::bad()),
        TimelineRow::Event(e) | TimelineRow::Again(e) => style(&e.kind),
    };
    let who = fit(&clean(r.by()), 8);
    let marker = if selected { "▶" } else { " " };
    // Marker, clock, icon and author before the text.
    let fixed = 1 + 8 + 1 + 2 + who.chars().count() + 1;
    let text = clean(&masked(&r.headline(), app.reveal)).into_owned();
    let mut lines = if app.timeline_wrap {
        wrap(
            vec![
                (marker.to_string(), theme::selected()),
                (utc_clock(r.at()), theme::dim()),
                (format!(" {icon} "), st),
                (format!("{who} "), theme::dim()),
                (text, Style::new()),
            ],
            width,
            fixed,
        )
    } else {
        vec![Line::from(vec![
            Span::styled(marker, theme::selected()),
            Span::styled(utc_clock(r.at()), theme::dim()),
            Span::styled(format!(" {icon} "), st),
            Span::styled(who, theme::dim()),
            Span::raw(" "),
            Span::raw(clip(&text, width.saturating_sub(fixed))),
        ])]
    };
    if selected {
        for l in &mut lines {
            *l = std::mem::take(l).patch_style(theme::cursor());
        }
    }
    lines
}

/// One entry in full, for the entry view: when (and when written, if
/// backdated), who, from which host, what, and for a command its step,
/// what ran, how it ended and the end of its output.
pub fn entry_lines(app: &App, row: usize, width: usize) -> Vec<Line<'static>> {
    let Some(r) = app.timeline_row(row) else {
        return Vec::new();
    };
    let shown = |s: &str| clean(&masked(s, app.reveal)).into_owned();
    let mut out: Vec<Line<'static>> = Vec::new();
    let field = |name: &str, value: String, out: &mut Vec<Line<'static>>| {
        out.extend(wrap(
            vec![
                (format!("{name:<10}"), theme::heading()),
                (value, Style::new()),
            ],
            width,
            10,
        ));
    };
    field(
        "When",
        format!("{} UTC", crate::domain::time::utc_datetime(r.at())),
        &mut out,
    );
    field("Who", clean(r.by()).into_owned(), &mut out);
    if let TimelineRow::Event(e) | TimelineRow::Again(e) = r {
        if e.at.is_some() {
            field(
                "Written",
                format!(
                    "{} UTC (backdated)",
                    crate::domain::time::utc_datetime(e.ts)
                ),
                &mut out,
            );
        }
        if !e.host.is_empty() {
            field("Host", clean(&e.host).into_owned(), &mut out);
        }
        match &e.kind {
            EventKind::CommandFinished {
                original,
                step,
                command,
                outcome,
                duration_ms,
                output,
                omitted,
                runbook,
                ..
            } => {
                let at = runbook
                    .as_deref()
                    .map_or_else(String::new, |r| format!(" of {r}"));
                field("Step", format!("{step}{at}"), &mut out);
                field("Ran", shown(command), &mut out);
                if let Some(o) = original {
                    field(
                        "Edited",
                        format!("the runbook's command was {}", shown(o)),
                        &mut out,
                    );
                }
                field(
                    "Outcome",
                    format!(
                        "{} after {}",
                        outcome.describe(),
                        crate::domain::time::short_duration(std::time::Duration::from_millis(
                            *duration_ms
                        ))
                    ),
                    &mut out,
                );
                if !output.is_empty() {
                    let more = if *omitted > 0 {
                        format!(" ({omitted} earlier lines not kept)")
                    } else {
                        String::new()
                    };
                    out.push(Line::styled(format!("Output{more}"), theme::heading()));
                    for l in output.lines() {
                        out.extend(wrap(
                            vec![(format!("  {}", shown(l)), theme::dim())],
                            width,
                            2,
                        ));
                    }
                }
                return out;
            }
            EventKind::Evidence { caption, pinned } => {
                out.extend(super::evidence::lines(caption, pinned, width, app.reveal));
                return out;
            }
            EventKind::MetricWindow { chart } => {
                out.extend(super::evidence::window(chart, width, app.reveal));
                return out;
            }
            EventKind::CommandStarted {
                step,
                command,
                original,
                ..
            } => {
                field("Step", step.clone(), &mut out);
                field("Running", shown(command), &mut out);
                if let Some(o) = original {
                    field(
                        "Edited",
                        format!("the runbook's command was {}", shown(o)),
                        &mut out,
                    );
                }
                return out;
            }
            _ => {}
        }
    }
    out.push(Line::styled("What", theme::heading()));
    for l in r.text().lines() {
        out.extend(wrap(
            vec![(format!("  {}", shown(l)), Style::new())],
            width,
            2,
        ));
    }
    out
}

/// The entry view over the panes.
pub fn entry(app: &App, row: usize, top: usize, title: &str, area: Rect, buf: &mut Buffer) {
    let r = super::overlay::centered(area, 100, area.height.saturating_sub(2));
    let inner = super::overlay::boxed(title, r, buf);
    let lines = entry_lines(app, row, inner.width as usize);
    let max = lines.len().saturating_sub(inner.height as usize);
    for (y, line) in lines
        .into_iter()
        .skip(top.min(max))
        .take(inner.height as usize)
        .enumerate()
    {
        put_line(line, inner, y as u16, buf);
    }
}

/// How far the entry view can scroll on a screen of `area`.
pub fn entry_max(app: &App, row: usize, area: Rect) -> usize {
    let r = super::overlay::centered(area, 100, area.height.saturating_sub(2));
    let (w, h) = (r.width.saturating_sub(2), r.height.saturating_sub(2));
    entry_lines(app, row, w as usize)
        .len()
        .saturating_sub(h as usize)
}
