//! Drawing. Every function here reads state through a shared reference and writes
//! only into the frame buffer: nothing is mutated, nothing waits.

mod alerts;
mod evidence;
mod exercise;
mod hits;
mod incident;
mod metrics;
mod overlay;
mod pod_detail;
mod pods;
mod runbook;
mod status;
mod steps;
pub mod text;
pub mod theme;
mod timeline;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

use crate::app::Mode;
use crate::app::state::{App, Pane, SourceState, SourceStatus};
use crate::domain::time::age;

/// At or above this size all panes are shown at once; below it, one pane at a
/// time behind a tab bar.
pub const WIDE: (u16, u16) = (120, 30);

/// Draws the whole cockpit into a frame.
pub fn draw(frame: &mut Frame, app: &App, mode: &Mode) {
    let area = frame.area();
    render(app, mode, area, frame.buffer_mut());
}

/// Where everything goes on a screen of this size.
struct Screen {
    /// Panes as `(pane, area, drawn as focused)`; in the compact layout only
    /// the focused one (and the timeline strip under it).
    panes: Vec<(Pane, Rect, bool)>,
    /// The tab bar of the compact layout.
    tabs: Option<Rect>,
    /// The message (and command) line.
    message: Rect,
    /// The status line.
    status: Rect,
}

/// The one layout: wide with every pane at once, compact with tabs.
fn layout(area: Rect, focus: Pane, zoom: bool, no_alerts: bool) -> Screen {
    let [main, message, status] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    if zoom {
        return Screen {
            panes: vec![(focus, main, true)],
            tabs: None,
            message,
            status,
        };
    }
    if area.width >= WIDE.0 && area.height >= WIDE.1 {
        let [left, middle, right] = Layout::horizontal([
            Constraint::Percentage(34),
            Constraint::Percentage(36),
            Constraint::Percentage(30),
        ])
        .areas(main);
        // With no alert source at all, the Pods pane takes the whole column.
        let split = if no_alerts { 0 } else { 45 };
        let [alerts, pods] = Layout::vertical([
            Constraint::Percentage(split),
            Constraint::Percentage(100 - split),
        ])
        .areas(left);
        let [metrics, timeline] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(right);
        let panes = [(Pane::Alerts, alerts), (Pane::Pods, pods)]
            .into_iter()
            .filter(|(p, _)| !(no_alerts && *p == Pane::Alerts))
            .chain([
                (Pane::Runbook, middle),
                (Pane::Metrics, metrics),
                (Pane::Timeline, timeline),
            ])
            .map(|(p, r)| (p, r, p == focus))
            .collect();
        return Screen {
            panes,
            tabs: None,
            message,
            status,
        };
    }
    let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(main);
    // Keep the newest timeline entries in view under the focused pane, so every
    // tick or note is visibly recorded even on a small terminal.
    let panes = if focus != Pane::Timeline && body.height >= 16 {
        let [top, strip] =
            Layout::vertical([Constraint::Min(8), Constraint::Length(5)]).areas(body);
        vec![(focus, top, true), (Pane::Timeline, strip, false)]
    } else {
        vec![(focus, body, true)]
    };
    Screen {
        panes,
        tabs: Some(tabs),
        message,
        status,
    }
}

/// Draws the whole cockpit into a buffer (used by tests and screenshots too).
pub fn render(app: &App, mode: &Mode, area: Rect, buf: &mut Buffer) {
    theme::set(app.settings.look);
    hits::clear();
    let screen = layout(area, app.focus, app.zoom, no_alerts(app));
    if let Some(tabs) = screen.tabs {
        tab_bar(app, tabs, buf);
    }
    for (which, r, focused) in screen.panes {
        hits::add(r, which, None);
        pane_as(app, which, r, buf, focused);
    }
    status::message_line(app, mode, screen.message, buf);
    status::render(app, screen.status, buf);
    overlay::render(app, mode, area, buf);
    theme::finish::apply(app.settings.look, buf);
}

/// How the Runbook pane lays out its document on a screen of `area`, for
/// the reducer's paging; `None` when the pane is not on screen or shows no
/// runbook.
pub fn runbook_layout(app: &App, area: Rect) -> Option<crate::app::state::PaneLayout> {
    let screen = layout(area, app.focus, app.zoom, no_alerts(app));
    let (_, r, _) = screen
        .panes
        .into_iter()
        .find(|(p, _, _)| *p == Pane::Runbook)?;
    runbook::layout(app, r)
}

/// No alert source is configured at all (a cluster-only launch): the
/// Alerts pane has nothing to show and gives its room to the Pods pane.
fn no_alerts(app: &App) -> bool {
    app.alerts.status.off.is_some() && app.alerts.items().is_empty()
}

/// What the last frame drew at a screen position, for the mouse.
pub fn hit_at(x: u16, y: u16) -> Option<(Pane, Option<usize>)> {
    hits::at(x, y)
}

/// How far the overlay that is up can scroll at this size, for the
/// reducer's paging (its lines wrap to the width, which only drawing knows).
pub fn overlay_max(app: &App, mode: &Mode, area: Rect) -> Option<usize> {
    overlay::overlay_max(app, mode, area)
}

/// Columns the Metrics chart gets on a terminal of this size, from the same
/// layout the panes are drawn in, so the sources can ask for about one
/// sample per braille dot.
pub fn chart_width(area: Rect) -> u16 {
    let pane = layout(area, Pane::Metrics, false, false)
        .panes
        .into_iter()
        .find(|(p, _, _)| *p == Pane::Metrics)
        .map_or(area.width, |(_, r, _)| r.width);
    // Borders and the y-axis labels.
    pane.saturating_sub(2 + 6).max(10)
}

/// The tabs, as long as the width allows: full names, then names cut to
/// three letters, then numbers with only the focused pane named.
fn tab_labels(focus: Pane, width: usize) -> Vec<String> {
    let full: Vec<String> = Pane::ALL
        .iter()
        .enumerate()
        .map(|(i, p)| format!(" {} {} ", i + 1, p.title()))
        .collect();
    let wide = |v: &[String]| v.iter().map(|l| l.chars().count()).sum::<usize>();
    if wide(&full) <= width {
        return full;
    }
    let short: Vec<String> = Pane::ALL
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                " {} {} ",
                i + 1,
                p.title().chars().take(3).collect::<String>()
            )
        })
        .collect();
    if wide(&short) <= width {
        return short;
    }
    Pane::ALL
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if *p == focus {
                format!(" {} {} ", i + 1, p.title())
            } else {
                format!(" {} ", i + 1)
            }
        })
        .collect()
}

fn tab_bar(app: &App, area: Rect, buf: &mut Buffer) {
    let mut spans = Vec::new();
    let labels = tab_labels(app.focus, area.width as usize);
    let mut x = area.x;
    for (p, label) in Pane::ALL.iter().zip(labels) {
        let w = label.chars().count() as u16;
        hits::add(
            Rect {
                x,
                width: w.min((area.x + area.width).saturating_sub(x)),
                ..area
            },
            *p,
            None,
        );
        x = x.saturating_add(w);
        let style = if *p == app.focus {
            theme::selected().fg(ratatui::style::Color::Cyan)
        } else {
            theme::dim()
        };
        spans.push(Span::styled(label, style));
    }
    Line::from(spans).render(area, buf);
}

fn pane_as(app: &App, which: Pane, area: Rect, buf: &mut Buffer, focused: bool) {
    match which {
        Pane::Alerts => alerts::render(app, area, buf, focused),
        Pane::Runbook => runbook::render(app, area, buf, focused),
        Pane::Pods => pods::render(app, area, buf, focused),
        Pane::Metrics => metrics::render(app, area, buf, focused),
        Pane::Timeline => timeline::render(app, area, buf, focused),
    }
}

/// A bordered pane with a title made of spans; returns the inner area.
fn framed(title: Vec<Span<'_>>, focused: bool, area: Rect, buf: &mut Buffer) -> Rect {
    let mut t = vec![Span::raw(" ")];
    t.extend(title);
    t.push(Span::raw(" "));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::border(focused))
        .border_type(theme::border_type(focused))
        .title(Line::from(t).style(theme::title(focused)));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// "demo live" / "alertmanager stale for 40s" / "prometheus error: …", judged
/// against the clock now.
fn source_badge(s: &SourceStatus, app: &App) -> Span<'static> {
    if app.replay.is_some() {
        return Span::styled("from the journal", theme::dim());
    }
    match s.state(app.now) {
        SourceState::Off(_) => Span::styled("not configured", theme::dim()),
        // With data on screen the pane's first row gives the reason in full.
        SourceState::Error(_) if s.last_ok.is_some() => {
            Span::styled(format!("{} error", s.name), theme::bad())
        }
        SourceState::Error(e) => {
            let e = text::clip(&text::clean(&e), 48);
            Span::styled(format!("{} error: {e}", s.name), theme::bad())
        }
        SourceState::Connecting if s.name.is_empty() => Span::styled("waiting…", theme::dim()),
        SourceState::Connecting => Span::styled(format!("{} connecting…", s.name), theme::dim()),
        SourceState::Stale(secs) => Span::styled(
            format!(
                "{} stale for {}",
                s.name,
                age(app.now - jiff::SignedDuration::from_secs(secs), app.now)
            ),
            theme::warn(),
        ),
        SourceState::Live => Span::styled(format!("{} live", s.name), theme::ok()),
    }
}

/// When a source that has answered before is failing now, the pane's first row
/// says why and how old the data below it is; returns the rest of the area.
fn stale_notice(s: &SourceStatus, app: &App, area: Rect, buf: &mut Buffer) -> Rect {
    let (Some(e), Some(at)) = (&s.error, s.last_ok) else {
        return area;
    };
    let msg = format!(
        "⚠ {}: {} — showing data from {} ago",
        s.name,
        text::clean(&s.with_address(e)),
        age(at, app.now)
    );
    // The whole reason, wrapped (up to three lines), not cut.
    let lines = text::wrap(vec![(msg, theme::bad())], area.width as usize, 2);
    let used = lines.len().min(3) as u16;
    for (row, line) in lines.into_iter().take(3).enumerate() {
        put_line(line, area, row as u16, buf);
    }
    Rect {
        y: area.y + used,
        height: area.height.saturating_sub(used),
        ..area
    }
}

/// The line a list pane shows when it has no rows: empty, or still waiting for
/// its source's first answer.
fn empty_list(status: &SourceStatus, empty: &str, waiting: &str, area: Rect, buf: &mut Buffer) {
    let (msg, style) = match (&status.off, &status.error, status.last_ok) {
        (Some(off), _, _) => (format!("{}.", text::clean(off)), theme::dim()),
        (None, _, Some(_)) => (empty.to_string(), theme::dim()),
        (None, Some(e), None) => (
            format!(
                "{} has not answered: {}",
                status.name,
                text::clean(&status.with_address(e))
            ),
            theme::bad(),
        ),
        (None, None, None) => (waiting.to_string(), theme::dim()),
    };
    for (row, line) in text::wrap(vec![(msg, style)], area.width as usize, 0)
        .into_iter()
        .enumerate()
    {
        put_line(line, area, row as u16, buf);
    }
}

/// The first row of a window of `height` rows that keeps `cursor` visible
/// without remembering a scroll position (render functions mutate nothing).
fn window_start(cursor: usize, len: usize, height: usize) -> usize {
    if height == 0 || len <= height || cursor < height {
        return 0;
    }
    (cursor + 1 - height).min(len - height)
}

/// Writes a line into one row of the buffer, clipped to the area.
fn put_line(line: Line<'_>, area: Rect, row: u16, buf: &mut Buffer) {
    if row < area.height {
        line.render(
            Rect {
                y: area.y + row,
                height: 1,
                ..area
            },
            buf,
        );
    }
}

/// Fills one row with a style (selection bars), leaving alarm-red cells (missing
/// placeholders) red so a selection never hides them.
fn fill_row(area: Rect, row: u16, style: Style, buf: &mut Buffer) {
    if row >= area.height {
        return;
    }
    // The pane's left border marks the row, so it shows without colour.
    mark_row(area, row, buf);
    fill_row_unmarked(area, row, style, buf);
}

/// The border cell left of a selected row shows the selection marker.
fn mark_row(area: Rect, row: u16, buf: &mut Buffer) {
    if row < area.height
        && area.x > 0
        && let Some(cell) = buf.cell_mut((area.x - 1, area.y + row))
        && matches!(cell.symbol(), "│" | "┃")
    {
        cell.set_symbol(theme::marker());
    }
}

/// A selected row's continuation lines: highlighted, not marked again.
fn fill_row_unmarked(area: Rect, row: u16, style: Style, buf: &mut Buffer) {
    if row >= area.height {
        return;
    }
    for x in area.x..area.x + area.width {
        if let Some(cell) = buf.cell_mut((x, area.y + row))
            && cell.bg != ratatui::style::Color::Red
        {
            // Coloured text keeps its colour (a severity, a status); plain
            // text takes the bar's own foreground.
            let keep = cell.fg != ratatui::style::Color::Reset;
            cell.set_style(if keep {
                Style { fg: None, ..style }
            } else {
                style
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_cursor_visible() {
        assert_eq!(window_start(0, 100, 10), 0);
        assert_eq!(window_start(9, 100, 10), 0);
        assert_eq!(window_start(10, 100, 10), 1);
        assert_eq!(window_start(99, 100, 10), 90);
        assert_eq!(window_start(5, 3, 10), 0);
    }
}
