//! Exercises on screen: a game-day's pre-flight checklist with the name to
//! type, and the lines the status bar and the Incident panel show of a drill
//! or game-day.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::overlay::{boxed, centered};
use super::text::{clean, wrap};
use super::{put_line, theme};
use crate::app::modal::gameday::GamedayDraft;
use crate::app::state::App;
use crate::domain::exercise::drill::ms_text;

/// The pre-flight: each check with ✔ or ✖, what will be applied, and what
/// to type. Nothing is applied until every check passes and it is typed.
pub fn preflight(app: &App, d: &GamedayDraft, hints: &str, area: Rect, buf: &mut Buffer) {
    let Some(g) = app.gameday.as_ref() else {
        return;
    };
    let width = area.width.saturating_sub(4).min(100);
    let w = width.saturating_sub(2) as usize;
    let e = &g.experiment;
    let mut lines: Vec<Line<'static>> = Vec::new();
    lines.extend(wrap(
        vec![(
            format!("Hypothesis: {}", clean(&e.hypothesis)),
            theme::heading(),
        )],
        w,
        0,
    ));
    lines.extend(wrap(
        vec![(
            format!(
                "Fault: {} {} in {} for {} · window {} · abort polled every {}",
                clean(e.fault_kind()),
                clean(e.fault_name().unwrap_or("(unnamed)")),
                clean(&e.blast_radius.namespace),
                e.fault_duration()
                    .map_or("no duration".into(), |d| ms_text(d.as_millis() as u64)),
                ms_text(e.window.as_millis() as u64),
                ms_text(e.poll.as_millis() as u64),
            ),
            theme::dim(),
        )],
        w,
        0,
    ));
    let checks = g.checks(
        app.settings.read_only,
        app.cluster.is_some() || app.settings.demo,
    );
    let all_ok = checks.iter().all(|c| c.ok);
    for c in &checks {
        let (mark, style) = if c.ok {
            ("✔ ", theme::done())
        } else {
            ("✖ ", theme::bad())
        };
        let label = format!("{}: ", clean(&c.label));
        if c.ok {
            // A passed check fits one line; a refusal is read in full.
            let room = w.saturating_sub(2 + label.chars().count());
            lines.push(Line::from(vec![
                ratatui::text::Span::styled(mark, style),
                ratatui::text::Span::styled(label, theme::heading()),
                ratatui::text::Span::styled(super::text::clip(&clean(&c.detail), room), style),
            ]));
        } else {
            lines.extend(wrap(
                vec![
                    (mark.to_string(), style),
                    (label, theme::heading()),
                    (clean(&c.detail).into_owned(), style),
                ],
                w,
                2,
            ));
        }
    }
    let ask = if all_ok {
        format!(
            "Type '{}' and press Enter to apply the fault.",
            clean(&g.answer())
        )
    } else {
        "Refused until every check passes: nothing will be applied.".to_string()
    };
    let style = if all_ok { theme::warn() } else { theme::bad() };
    lines.extend(wrap(vec![(ask, style.add_modifier(Modifier::BOLD))], w, 0));
    if let Some(err) = &d.error {
        lines.extend(wrap(vec![(clean(err).into_owned(), theme::bad())], w, 0));
    }
    lines.push(Line::styled(hints.to_string(), theme::warn()));
    let height = lines.len() as u16 + 1 + 2;
    let r = centered(area, width, height);
    let inner = boxed(" Game-day pre-flight ", r, buf);
    let text_rows = inner.height.saturating_sub(1);
    // On a small screen the top (the hypothesis) gives way: the checks,
    // what to type and why it was refused stay on screen.
    let skip = lines.len().saturating_sub(text_rows as usize);
    for (row, l) in lines.into_iter().skip(skip).enumerate() {
        put_line(l, inner, row as u16, buf);
    }
    let input = Rect {
        x: inner.x,
        y: inner.y + text_rows,
        width: inner.width,
        height: 1.min(inner.height),
    };
    d.input.render(input, buf);
}

/// The exercise's label for the status bar (` DRILL `, ` GAMEDAY `) and its
/// clocks, when the open incident is one.
pub fn status(app: &App) -> Option<(String, String)> {
    let x = app.incident_state()?.exercise.as_ref()?;
    Some((
        format!(" {} ", x.plan.label()),
        crate::app::exercise::status_text(app).unwrap_or_default(),
    ))
}

/// The exercise's lines for the Incident panel.
pub fn panel(app: &App) -> Vec<Line<'static>> {
    crate::app::exercise::panel_text(app)
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let style = if i == 0 { theme::warn() } else { theme::dim() };
            Line::styled(clean(&t).into_owned(), style)
        })
        .collect()
}

/// The Metrics pane during a game-day: the abort query's answers since the
/// fault went in, the window's countdown, and the first answer that
/// stopped it. An empty answer (the condition does not hold) is drawn on
/// the zero line.
pub fn abort_chart(app: &App, area: Rect, buf: &mut Buffer, focused: bool) -> bool {
    use ratatui::style::Style;
    use ratatui::symbols::Marker;
    use ratatui::text::Span;
    use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
    let open_gameday = app
        .incident_state()
        .and_then(|i| i.exercise.as_ref())
        .is_some_and(|x| x.plan.gameday().is_some());
    let Some(g) = app.gameday.as_ref().filter(|_| open_gameday) else {
        return false;
    };
    let (Some(start), Some(end)) = (g.started, g.ends()) else {
        return false;
    };
    let polls = g.samples.len();
    let plural = if polls == 1 { "poll" } else { "polls" };
    let state = match app
        .incident_state()
        .and_then(|i| i.exercise.as_ref())
        .and_then(|x| x.ended.as_ref())
    {
        Some(e) => e.outcome.words().to_string(),
        None => format!(
            "window {} left",
            ms_text(end.duration_since(app.now).as_millis().max(0) as u64 / 1000 * 1000)
        ),
    };
    let title = vec![Span::raw(format!(
        "Metrics · abort query · {state} · {polls} {plural}"
    ))];
    let inner = super::framed(title, focused, area, buf);
    let w = inner.width as usize;
    put_line(
        Line::styled(
            super::text::clip(&format!("abort: {}", clean(&g.experiment.abort)), w),
            theme::dim(),
        ),
        inner,
        0,
        buf,
    );
    let first_hit = g.samples.iter().find(|s| s.value.is_some());
    let verdict = match first_hit {
        Some(s) => Line::styled(
            super::text::clip(
                &format!(
                    "answered {} at {} UTC: the fault was deleted at once",
                    s.value.unwrap_or_default(),
                    crate::domain::time::utc_clock(s.at)
                ),
                w,
            ),
            theme::bad(),
        ),
        None => Line::styled(
            "every answer so far is empty: the hypothesis holds",
            theme::ok(),
        ),
    };
    put_line(verdict, inner, 1, buf);
    let chart_area = Rect {
        y: inner.y + 2,
        height: inner.height.saturating_sub(2),
        ..inner
    };
    let window = end.duration_since(start).as_secs_f64().max(1.0);
    let points: Vec<(f64, f64)> = g
        .samples
        .iter()
        .map(|s| {
            (
                s.at.duration_since(start).as_secs_f64(),
                s.value.filter(|v| v.is_finite()).unwrap_or(0.0),
            )
        })
        .collect();
    let y_max = points.iter().map(|p| p.1).fold(0.0, f64::max).max(1e-9) * 1.15;
    let now_x = app
        .now
        .duration_since(start)
        .as_secs_f64()
        .clamp(0.0, window);
    let now_line = [(now_x, 0.0), (now_x, y_max)];
    let datasets = vec![
        Dataset::default()
            .name("abort")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::new().fg(ratatui::style::Color::Red))
            .data(&points),
        Dataset::default()
            .name("now")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme::dim())
            .data(&now_line),
    ];
    let secs = |s: f64| ms_text((s.max(0.0) as u64) * 1000);
    Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds([0.0, window])
                .labels(vec![
                    Span::styled("fault in", theme::dim()),
                    Span::styled(format!("+{}", secs(window / 2.0)), theme::dim()),
                    Span::styled(format!("+{} end", secs(window)), theme::dim()),
                ])
                .style(theme::dim()),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, y_max])
                .labels(vec![
                    Span::styled("0", theme::dim()),
                    Span::styled(format!("{:.3}", y_max), theme::dim()),
                ])
                .style(theme::dim()),
        )
        .legend_position(None)
        .render(chart_area, buf);
    true
}
