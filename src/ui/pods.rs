//! The Pods pane: kubectl-style columns, unhealthy pods first.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text::{clean, fit};
use super::{empty_list, fill_row, framed, put_line, source_badge, theme, window_start};
use crate::app::state::{App, Pane};
use crate::domain::time::age;

pub fn render(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    // The rows are kept sorted as changes come: only the window drawn is
    // visited here, whatever the number of pods.
    let view = app.pod_rows();
    let pods = &view.rows;
    let scope = app.pod_scope();
    let ready = view.healthy;
    let mut title = vec![Span::raw("Pods")];
    let ns = match scope.namespace.as_str() {
        "" => None,
        crate::domain::pod::ALL_NAMESPACES => Some("all namespaces".to_string()),
        _ => Some(scope.namespace),
    };
    for part in [ns, scope.selector, scope.name].into_iter().flatten() {
        title.push(Span::raw(format!(" · {}", clean(&part))));
    }
    if app.pods.status.last_ok.is_some() {
        title.push(Span::raw(format!(" · {ready}/{} healthy", pods.len())));
    }
    title.push(Span::raw(" · "));
    title.push(source_badge(&app.pods.status, app));
    let mut inner = super::stale_notice(
        &app.pods.status,
        app,
        framed(title, focused, area, buf),
        buf,
    );
    if !app.pods.filter.is_empty() {
        put_line(
            Line::styled(
                format!("/{} — {} shown", clean(&app.pods.filter), pods.len()),
                theme::warn(),
            ),
            inner,
            0,
            buf,
        );
        inner.y += 1;
        inner.height = inner.height.saturating_sub(1);
    }
    if pods.is_empty() {
        let empty = "No pods match this scope.";
        return empty_list(&app.pods.status, empty, "Waiting for pods…", inner, buf);
    }
    let width = inner.width as usize;
    let show_node = width >= 80;
    let (ready_w, status_w, restarts_w, age_w, node_w) =
        (5, 16, 8, 5, if show_node { 12 } else { 0 });
    // "7 (2m ago)" needs more room than a bare count.
    let restarts_w = if view.timed_restarts > 0 {
        12
    } else {
        restarts_w
    };
    let fixed = ready_w + status_w + restarts_w + age_w + node_w + 5;
    let name_w = width.saturating_sub(fixed).max(10);
    let mut header = format!(
        "{} {} {} {} {:>age_w$}",
        fit("NAME", name_w),
        fit("READY", ready_w),
        fit("STATUS", status_w),
        fit("RESTARTS", restarts_w),
        "AGE"
    );
    if show_node {
        header.push_str(&format!(" {}", fit("NODE", node_w)));
    }
    put_line(Line::styled(header, theme::dim()), inner, 0, buf);
    let height = inner.height.saturating_sub(1) as usize;
    let start = window_start(app.pods.cursor, pods.len(), height);
    let shown = pods.iter_from(start).take(height);
    for (row, (i, p)) in shown.enumerate().map(|(r, p)| (r, (start + r, p))) {
        let mut spans = vec![
            Span::raw(fit(&clean(&p.name), name_w)),
            Span::raw(" "),
            Span::raw(fit(&format!("{}/{}", p.ready, p.containers), ready_w)),
            Span::raw(" "),
            Span::styled(
                fit(&clean(&p.status), status_w),
                theme::pod_status(&p.status),
            ),
            Span::raw(" "),
            Span::styled(
                fit(
                    &match p.last_restart.filter(|_| p.restarts > 0) {
                        Some(at) => format!("{} ({} ago)", p.restarts, coarse_age(at, app.now)),
                        None => p.restarts.to_string(),
                    },
                    restarts_w,
                ),
                if p.restarts > 0 {
                    theme::warn()
                } else {
                    theme::dim()
                },
            ),
            Span::raw(" "),
            Span::raw(format!("{:>age_w$}", age(p.created_at, app.now))),
        ];
        if show_node {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(fit(&clean(&p.node), node_w), theme::dim()));
        }
        let row = row as u16 + 1;
        put_line(Line::from(spans), inner, row, buf);
        super::hits::row(inner, row, Pane::Pods, i);
        if focused && i == app.pods.cursor {
            fill_row(inner, row, theme::selected(), buf);
        }
    }
}

/// The largest unit only (`23h`, `5m`), as kubectl shows the last restart.
fn coarse_age(from: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let s = now.duration_since(from).as_secs().max(0);
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}
