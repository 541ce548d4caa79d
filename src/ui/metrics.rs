//! The Metrics pane: the runbook's query as a chart, with its threshold line and
//! the current value.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Widget};

use super::text::{clean, clip};
use super::{framed, put_line, source_badge, theme};
use crate::app::state::App;

/// At most this many series are drawn and listed; the rest are counted.
const MAX_SERIES: usize = 5;

pub fn render(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    // During a game-day the pane watches its abort query.
    if super::exercise::abort_chart(app, area, buf, focused) {
        return;
    }
    let m = &app.metric;
    // Every value on the pane is written in the chart's unit.
    let written = |v: f64| m.unit.format(v);
    let current = m.data.as_ref().and_then(|d| d.current());
    let over = matches!((current, m.threshold), (Some(c), Some(t)) if c > t);
    let range = crate::app::state::RANGES
        .get(m.range)
        .copied()
        .map(crate::domain::time::short_duration)
        .unwrap_or_default();
    let mut title = vec![Span::raw(format!("Metrics · {range}"))];
    if let Some(c) = current {
        title.push(Span::raw(" · now "));
        title.push(Span::styled(
            written(c),
            if over { theme::bad() } else { theme::ok() },
        ));
    }
    if let Some(t) = m.threshold {
        title.push(Span::raw(format!(" · threshold {}", written(t))));
    }
    if m.query.is_some() {
        title.push(Span::raw(" · "));
        title.push(source_badge(&m.status, app));
    }
    let inner = framed(title, focused, area, buf);
    let Some(query) = &m.query else {
        let msg = if app.shown_runbook().is_some() {
            "This runbook has no `query:` in its front matter."
        } else {
            "No runbook query to chart."
        };
        put_line(Line::styled(msg, theme::dim()), inner, 0, buf);
        return;
    };
    // The top row names the query; while the source fails, the next says why
    // and an older chart stays below rather than flickering away.
    put_line(
        Line::styled(
            clip(
                &format!("{}: {}", m.origin, clean(query)),
                inner.width as usize,
            ),
            theme::dim(),
        ),
        inner,
        0,
        buf,
    );
    let skip = if m.error.is_some() { 2 } else { 1 };
    if let Some(e) = &m.error {
        put_line(
            Line::styled(
                clip(&format!("⚠ {}", clean(e)), inner.width as usize),
                theme::bad(),
            ),
            inner,
            1,
            buf,
        );
        if m.data.is_none() {
            return;
        }
    }
    let chart_area = Rect {
        y: inner.y + skip,
        height: inner.height.saturating_sub(skip),
        ..inner
    };
    let Some(data) = &m.data else {
        let msg = match &m.status.off {
            Some(off) => format!("{}.", clean(off)),
            None => "Waiting for data…".to_string(),
        };
        put_line(Line::styled(msg, theme::dim()), chart_area, 0, buf);
        return;
    };
    // The legend lists the top series by current value; only those are drawn.
    let mut order: Vec<&crate::domain::metric::Series> = data
        .series
        .iter()
        .filter(|s| !s.points.is_empty())
        .collect();
    order.sort_by(|a, b| {
        let last = |s: &crate::domain::metric::Series| s.points.last().map_or(f64::MIN, |p| p.1);
        last(b)
            .total_cmp(&last(a))
            .then_with(|| a.name.cmp(&b.name))
    });
    let legend_rows = if order.len() > 1 {
        usize::from(chart_area.height.saturating_sub(6)).min(MAX_SERIES)
    } else {
        0
    };
    let drawn = order.len().min(legend_rows.max(1));
    let top = &order[..drawn];
    let chart_area = Rect {
        height: chart_area.height - legend_rows.min(top.len()) as u16,
        ..chart_area
    };
    let points: Vec<&(f64, f64)> = top.iter().flat_map(|s| s.points.iter()).collect();
    // The x axis spans the chosen range ending at the newest sample, so a
    // series with a short history sits at the right, as on a dashboard.
    let span = crate::app::state::RANGES
        .get(m.range)
        .map_or(900.0, |r| r.as_secs_f64());
    let (Some(data_min), Some(x_max)) = (
        points.iter().map(|p| p.0).reduce(f64::min),
        points.iter().map(|p| p.0).reduce(f64::max),
    ) else {
        put_line(
            Line::styled("The query returned no data.", theme::dim()),
            chart_area,
            0,
            buf,
        );
        return;
    };
    let x_min = (x_max - span).min(data_min);
    let y_data_max = points.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    let y_min = points.iter().map(|p| p.1).fold(f64::MAX, f64::min).min(0.0);
    let y_max = (y_data_max.max(m.threshold.unwrap_or(f64::MIN)) * 1.15).max(y_min + 1e-9);
    let threshold_line: Vec<(f64, f64)> = m
        .threshold
        .map(|t| vec![(x_min, t), (x_max, t)])
        .unwrap_or_default();
    let colours = [
        Color::Cyan,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightGreen,
    ];
    let mut datasets: Vec<Dataset<'_>> = top
        .iter()
        .zip(colours.iter().cycle())
        .map(|(s, c)| {
            Dataset::default()
                .name(clean(&s.name).into_owned())
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(*c))
                .data(&s.points)
        })
        .collect();
    if !threshold_line.is_empty() {
        datasets.push(
            Dataset::default()
                .name("threshold")
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(Color::Red))
                .data(&threshold_line),
        );
    }
    let ago = |secs: f64| {
        format!(
            "-{}",
            crate::domain::time::short_duration(std::time::Duration::from_secs(
                secs.round().max(0.0) as u64
            ))
        )
    };
    let x_labels = vec![
        Span::styled(ago(x_max - x_min), theme::dim()),
        Span::styled(ago((x_max - x_min) / 2.0), theme::dim()),
        Span::styled("now", theme::dim()),
    ];
    let y_labels = vec![
        Span::styled(written(y_min), theme::dim()),
        Span::styled(written((y_min + y_max) / 2.0), theme::dim()),
        Span::styled(written(y_max), theme::dim()),
    ];
    Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds([x_min, x_max])
                .labels(x_labels)
                .style(theme::dim()),
        )
        .y_axis(
            Axis::default()
                .bounds([y_min, y_max])
                .labels(y_labels)
                .style(theme::dim()),
        )
        .legend_position(None)
        .render(chart_area, buf);
    if legend_rows > 0 {
        let legend = Rect {
            y: chart_area.y + chart_area.height,
            height: legend_rows.min(top.len()) as u16,
            ..chart_area
        };
        let width = legend.width as usize;
        for (row, (s, c)) in top.iter().zip(colours.iter().cycle()).enumerate() {
            let value = s.points.last().map(|p| written(p.1)).unwrap_or_default();
            let mut spans = vec![
                Span::styled("━ ", Style::new().fg(*c)),
                Span::styled(format!("{value:>8} "), Style::new()),
            ];
            let more = if row + 1 == top.len() && order.len() > top.len() {
                format!(" (+{} more)", order.len() - top.len())
            } else {
                String::new()
            };
            let room = width.saturating_sub(11 + more.len());
            spans.push(Span::styled(clip(&clean(&s.name), room), theme::dim()));
            spans.push(Span::styled(more, theme::dim()));
            put_line(Line::from(spans), legend, row as u16, buf);
        }
    }
}
