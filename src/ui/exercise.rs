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
        lines.extend(wrap(
            vec![
                (mark.to_string(), style),
                (format!("{}: ", clean(&c.label)), theme::heading()),
                (clean(&c.detail).into_owned(), style),
            ],
            w,
            2,
        ));
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
    for (row, l) in lines.into_iter().take(text_rows as usize).enumerate() {
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
