//! The pod details view: the pod's recent events above, its log below, the log
//! following the newest line until scrolled.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::text::{clean, clip, masked};
use super::{put_line, theme};
use crate::app::state::App;
use crate::domain::time::{age, utc_clock};

pub fn render(app: &App, hints: &str, area: Rect, buf: &mut Buffer) {
    let Some(d) = &app.pods.detail else {
        return;
    };
    let r = Rect {
        x: area.x + 1,
        y: area.y + 1,
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(3),
    };
    Clear.render(r, buf);
    let mut title = format!(" {}/{} ", clean(&d.pod.namespace), clean(&d.pod.name));
    if let Some(p) = app.pods.store.get(&d.pod.namespace, &d.pod.name) {
        // NODE is always here, whatever room the Pods pane had for it.
        let node = if p.node.is_empty() {
            "unscheduled"
        } else {
            &p.node
        };
        title.push_str(&format!(
            "· {} · {}/{} ready · node {} · {} restarts · age {} ",
            clean(&p.status),
            p.ready,
            p.containers,
            clean(node),
            super::pods::restarts_text(p, app.now),
            crate::domain::time::kube_age(p.created_at, app.now),
        ));
        if let Some(exit) = &p.last_exit {
            title.push_str(&format!("· last run: {} ", clean(exit)));
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::border(true))
        .border_type(theme::border_type(true))
        .title(Line::styled(title, theme::title(true)))
        .title_bottom(Line::styled(format!(" {hints} "), theme::dim()));
    let inner = block.inner(r);
    block.render(r, buf);
    let events_h = (inner.height / 3).clamp(3, 10);
    let [ev_area, log_area] =
        Layout::vertical([Constraint::Length(events_h), Constraint::Min(2)]).areas(inner);
    let width = inner.width as usize;
    put_line(Line::styled("Events", theme::heading()), ev_area, 0, buf);
    let ev_rows = ev_area.height.saturating_sub(1) as usize;
    match &d.events {
        None => put_line(Line::styled("loading…", theme::dim()), ev_area, 1, buf),
        Some(Err(e)) => put_line(
            Line::styled(clip(&format!("⚠ {}", clean(e)), width), theme::bad()),
            ev_area,
            1,
            buf,
        ),
        Some(Ok(events)) if events.is_empty() => put_line(
            Line::styled("no recent events", theme::dim()),
            ev_area,
            1,
            buf,
        ),
        Some(Ok(events)) => {
            let skip = events.len().saturating_sub(ev_rows);
            for (row, e) in events.iter().skip(skip).enumerate() {
                let when = e.at.map_or("-".to_string(), |t| age(t, app.now));
                let style = if e.kind == "Warning" {
                    theme::warn()
                } else {
                    theme::dim()
                };
                let text = format!(
                    "{when:>6} {:<7} {:<18} {}{}",
                    clean(&e.kind),
                    clean(&e.reason),
                    clean(&e.message),
                    if e.count > 1 {
                        format!(" (×{})", e.count)
                    } else {
                        String::new()
                    }
                );
                put_line(
                    Line::from(Span::styled(clip(&text, width), style)),
                    ev_area,
                    row as u16 + 1,
                    buf,
                );
            }
        }
    }
    let mut head = format!(
        "Log{}{}",
        d.container
            .as_deref()
            .map(|c| format!(" · container {}", clean(c)))
            .unwrap_or_default(),
        if d.previous { " · previous run" } else { "" },
    );
    head.push_str(match (d.follow, d.log_done, d.scroll) {
        (_, _, s) if s > 0 => " · scrolled (G for newest)",
        (true, false, _) => " · following",
        (_, true, _) => " · end of stream",
        _ => "",
    });
    head.push_str(&format!(
        " · {} lines · now {} UTC",
        d.log.len(),
        utc_clock(app.now)
    ));
    put_line(
        Line::styled(clip(&head, width), theme::heading()),
        log_area,
        0,
        buf,
    );
    let rows = log_area.height.saturating_sub(1) as usize;
    let mut shown: Vec<Line<'static>> = Vec::new();
    if let Some(e) = &d.log_error {
        shown.push(Line::styled(
            clip(&format!("⚠ {}", clean(e)), width),
            theme::bad(),
        ));
    } else if d.log.is_empty() {
        let msg = if d.log_done {
            "(empty log)"
        } else {
            "loading…"
        };
        shown.push(Line::styled(msg, theme::dim()));
    }
    let end = d.log.len().saturating_sub(d.scroll);
    let start = end.saturating_sub(rows.saturating_sub(shown.len()));
    for l in d.log.range(start..end) {
        shown.push(Line::raw(clip(&clean(&masked(l, app.reveal)), width)));
    }
    for (row, l) in shown.into_iter().take(rows).enumerate() {
        put_line(l, log_area, row as u16 + 1, buf);
    }
}
