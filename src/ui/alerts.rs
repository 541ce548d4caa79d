//! The Alerts pane: firing alerts, most urgent first, with counts in the title.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::{clean, fit};
use super::{empty_list, fill_row, framed, put_line, source_badge, theme, window_start};
use crate::app::keys;
use crate::app::state::{App, Pane};
use crate::domain::alert;
use crate::domain::time::age;

/// One row of the list: a group header (grouped view) or an alert.
enum Row {
    Header { name: String, count: usize },
    Alert(usize),
}

fn rows(app: &App) -> Vec<Row> {
    let (view, items, grouped) = (
        app.alerts.view(),
        app.alerts.items(),
        app.alerts.is_grouped(),
    );
    let mut out = Vec::with_capacity(view.len());
    let mut pos = 0;
    while pos < view.len() {
        let name = items[view[pos]].name();
        let count = if grouped {
            view[pos..]
                .iter()
                .take_while(|i| items[**i].name() == name)
                .count()
        } else {
            1
        };
        if grouped {
            out.push(Row::Header {
                name: name.to_string(),
                count,
            });
        }
        out.extend((pos..pos + count).map(Row::Alert));
        pos += count;
    }
    out
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    let items = &app.alerts.items();
    let mut title = vec![Span::raw(format!("Alerts {}", items.len()))];
    for (label, n) in alert::counts(items) {
        let rank = alert::severity_rank(Some(&label));
        title.push(Span::raw(" · "));
        title.push(Span::styled(
            format!("{n} {}", clean(&label)),
            theme::alert_severity(rank),
        ));
    }
    let muted = items.iter().filter(|a| a.state.is_suppressed()).count();
    if muted > 0 {
        let text = if app.alerts.hides_suppressed() {
            format!(" · {muted} muted hidden")
        } else {
            format!(" · {muted} muted")
        };
        title.push(Span::styled(text, theme::dim()));
    }
    let new = app.alerts.new_count();
    if new > 0 {
        title.push(Span::styled(format!(" · {new} new"), theme::new_alert()));
    }
    title.push(Span::raw(" · "));
    title.push(source_badge(&app.alerts.status, app));
    let inner = super::stale_notice(
        &app.alerts.status,
        app,
        framed(title, focused, area, buf),
        buf,
    );
    let mut list = inner;
    // What narrows the list, each on a line above it: the matchers
    // `warroom open` was given, then the `/` filter.
    let shown = app.alerts.view().len();
    let mut banners = Vec::new();
    if let Some(q) = app.alerts.query() {
        banners.push(format!(
            "{} — {shown} of {} (Esc shows all)",
            clean(&q.to_string()),
            items.len()
        ));
    }
    if !app.alerts.filter().is_empty() {
        banners.push(format!(
            "/{} — {shown} of {}",
            clean(app.alerts.filter()),
            items.len()
        ));
    }
    for text in banners {
        put_line(Line::styled(text, theme::warn()), list, 0, buf);
        list.y += 1;
        list.height = list.height.saturating_sub(1);
    }
    if app.alerts.view().is_empty() {
        let waiting = "Waiting for the first alerts…";
        let empty = if items.is_empty() {
            "No alerts firing.".to_string()
        } else {
            format!(
                "No alert matches the filter ({} in {} clears it, {} shows muted ones).",
                keys::key(
                    keys::Scope::Modal(keys::ModalKind::Filter),
                    keys::Action::Cancel
                ),
                keys::global_key(keys::Action::Filter),
                keys::pane_key(Pane::Alerts, keys::Action::ToggleSuppressed)
            )
        };
        return empty_list(&app.alerts.status, &empty, waiting, list, buf);
    }
    let incident_fp = app.incident_state().map(|i| i.alert.fingerprint.as_str());
    let width = list.width as usize;
    let indent = usize::from(app.alerts.is_grouped()) * 2;
    let name_w = (width / 3).clamp(12, 34).saturating_sub(indent);
    let age_w = 6;
    let sev_w = 5;
    let summary_w = width.saturating_sub(2 + indent + sev_w + 1 + name_w + 1 + age_w + 1);
    let height = list.height as usize;
    let rows = rows(app);
    let cursor_row = rows
        .iter()
        .position(|r| matches!(r, Row::Alert(p) if *p == app.alerts.cursor()))
        .unwrap_or(0);
    let start = window_start(cursor_row, rows.len(), height);
    let shown = rows.len().min(height);
    for (row, r) in rows.iter().skip(start).take(height).enumerate() {
        let row = row as u16;
        let pos = match r {
            Row::Header { name, count } => {
                put_line(
                    Line::from(vec![
                        Span::styled(format!("▾ {}", clean(name)), theme::heading()),
                        Span::styled(format!(" ×{count}"), theme::dim()),
                    ]),
                    list,
                    row,
                    buf,
                );
                continue;
            }
            Row::Alert(pos) => *pos,
        };
        let Some(a) = app.alerts.view().get(pos).and_then(|i| items.get(*i)) else {
            continue;
        };
        let sev: String = a
            .severity_label()
            .map(|s| s.chars().take(4).collect::<String>().to_uppercase())
            .unwrap_or_else(|| "-".into());
        let drill = app.exercise_claiming(a.name(), a.starts_at);
        let elsewhere = app.claimed_elsewhere(&a.fingerprint, a.starts_at);
        let (marker, marker_style) = if Some(a.fingerprint.as_str()) == incident_fp {
            ("● ", theme::bad())
        } else if elsewhere.is_some() {
            ("● ", theme::warn())
        } else if drill.is_some() {
            ("◆ ", theme::warn())
        } else if app.alerts.is_new(a) {
            ("+ ", theme::new_alert())
        } else {
            ("  ", theme::dim())
        };
        let muted = a.state.is_suppressed();
        let text_style = if muted { theme::dim() } else { Style::new() };
        let mut spans = vec![
            Span::raw(" ".repeat(indent)),
            Span::styled(marker, marker_style),
            Span::styled(
                fit(&clean(&sev), sev_w),
                if muted {
                    theme::dim()
                } else {
                    theme::alert_severity(a.urgency())
                },
            ),
            Span::raw(" "),
            Span::styled(fit(&clean(a.name()), name_w), text_style),
            Span::raw(" "),
        ];
        if summary_w > 4 {
            let summary = match (drill, muted) {
                _ if elsewhere.is_some() => {
                    let (who, host) = elsewhere.unwrap_or_default();
                    format!("{who} on {host} (Enter joins) · {}", a.summary())
                }
                (Some(kind), _) => format!("[{kind}] {}", a.summary()),
                (None, true) => format!("[{}] {}", a.state.as_str(), a.summary()),
                (None, false) => a.summary().to_string(),
            };
            spans.push(Span::styled(fit(&clean(&summary), summary_w), theme::dim()));
            spans.push(Span::raw(" "));
        } else if muted {
            spans.push(Span::styled("~ ", theme::dim()));
        }
        spans.push(Span::styled(
            format!("{:>age_w$}", age(a.starts_at, app.now)),
            text_style,
        ));
        put_line(Line::from(spans), list, row, buf);
        super::hits::row(list, row, Pane::Alerts, pos);
        if pos == app.alerts.cursor() {
            fill_row(list, row, theme::selected(), buf);
        }
    }
    // Spare rows below the list describe the selected alert.
    if let Some(a) = app.alerts.selected()
        && height >= shown + 5
    {
        let detail = Rect {
            y: list.y + shown as u16 + 1,
            height: (height - shown - 1) as u16,
            ..list
        };
        detail_lines(a, app, detail, buf);
    }
}

fn detail_lines(a: &crate::domain::alert::Alert, app: &App, area: Rect, buf: &mut Buffer) {
    let width = area.width as usize;
    let mut head = vec![
        Span::styled(clean(a.name()).into_owned(), theme::heading()),
        Span::styled(
            format!(" since {} UTC", crate::domain::time::utc_clock(a.starts_at)),
            theme::dim(),
        ),
    ];
    if a.state.is_suppressed() {
        let by = a
            .silenced_by
            .iter()
            .chain(&a.inhibited_by)
            .cloned()
            .collect::<Vec<_>>();
        head.push(Span::styled(
            format!(" · {} by {}", a.state.as_str(), clean(&by.join(", "))),
            theme::warn(),
        ));
    }
    let mut lines = vec![Line::from(head)];
    if let Some(d) = a.annotations.get("description") {
        lines.extend(super::text::wrap(
            vec![(clean(d).into_owned(), ratatui::style::Style::new())],
            width,
            0,
        ));
    }
    let labels: Vec<String> = a
        .labels
        .iter()
        .filter(|(k, _)| k.as_str() != "alertname")
        .map(|(k, v)| format!("{}={}", clean(k), clean(v)))
        .collect();
    lines.extend(super::text::wrap(
        vec![(labels.join("  "), theme::dim())],
        width,
        0,
    ));
    let runbook = match app.runbooks.library.for_alert(a) {
        Some(rb) => format!("runbook: {}", clean(&rb.id)),
        None => "runbook: none found".to_string(),
    };
    lines.push(Line::styled(runbook, theme::dim()));
    for (row, l) in lines.into_iter().enumerate() {
        put_line(l, area, row as u16, buf);
    }
}
