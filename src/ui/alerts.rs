//! The Alerts pane: firing alerts, most urgent first, with counts in the title.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text::{clean, fit};
use super::{empty_list, fill_row, framed, put_line, source_badge, theme, window_start};
use crate::app::state::App;
use crate::domain::alert;
use crate::domain::time::age;

pub fn render(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    let items = &app.alerts.items;
    let mut title = vec![Span::raw(format!("Alerts {}", items.len()))];
    for (label, n) in alert::counts(items) {
        let rank = alert::severity_rank(Some(&label));
        title.push(Span::raw(" · "));
        title.push(Span::styled(
            format!("{n} {}", clean(&label)),
            theme::alert_severity(rank),
        ));
    }
    title.push(Span::raw(" · "));
    title.push(source_badge(&app.alerts.status, app));
    let inner = framed(title, focused, area, buf);
    if items.is_empty() {
        let waiting = "Waiting for the first alerts…";
        return empty_list(&app.alerts.status, "No alerts firing.", waiting, inner, buf);
    }
    let incident_fp = app.incident_state().map(|i| i.alert.fingerprint.as_str());
    let width = inner.width as usize;
    let name_w = (width / 3).clamp(12, 34);
    let age_w = 6;
    let sev_w = 5;
    let summary_w = width.saturating_sub(2 + sev_w + 1 + name_w + 1 + age_w + 1);
    let height = inner.height as usize;
    let start = window_start(app.alerts.cursor, items.len(), height);
    let shown = items.len().min(height);
    for (row, (i, a)) in items
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .enumerate()
    {
        let sev: String = a
            .severity_label()
            .map(|s| s.chars().take(4).collect::<String>().to_uppercase())
            .unwrap_or_else(|| "-".into());
        let marker = if Some(a.fingerprint.as_str()) == incident_fp {
            "● "
        } else {
            "  "
        };
        let mut spans = vec![
            Span::styled(marker, theme::bad()),
            Span::styled(fit(&clean(&sev), sev_w), theme::alert_severity(a.urgency())),
            Span::raw(" "),
            Span::raw(fit(&clean(a.name()), name_w)),
            Span::raw(" "),
        ];
        if summary_w > 4 {
            spans.push(Span::styled(
                fit(&clean(a.summary()), summary_w),
                theme::dim(),
            ));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::raw(format!("{:>age_w$}", age(a.starts_at, app.now))));
        let row = row as u16;
        put_line(Line::from(spans), inner, row, buf);
        if i == app.alerts.cursor {
            fill_row(inner, row, theme::selected(), buf);
        }
    }
    // Spare rows below the list describe the selected alert.
    if let Some(a) = app.alerts.selected()
        && height >= shown + 5
    {
        let detail = Rect {
            y: inner.y + shown as u16 + 1,
            height: (height - shown - 1) as u16,
            ..inner
        };
        detail_lines(a, app, detail, buf);
    }
}

fn detail_lines(a: &crate::domain::alert::Alert, app: &App, area: Rect, buf: &mut Buffer) {
    let width = area.width as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled(clean(a.name()).into_owned(), theme::heading()),
        Span::styled(
            format!(" since {} UTC", crate::domain::time::utc_clock(a.starts_at)),
            theme::dim(),
        ),
    ])];
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
    let runbook = match app.library.for_alert(a) {
        Some(rb) => format!("runbook: {}", clean(&rb.id)),
        None => "runbook: none found".to_string(),
    };
    lines.push(Line::styled(runbook, theme::dim()));
    for (row, l) in lines.into_iter().enumerate() {
        put_line(l, area, row as u16, buf);
    }
}
