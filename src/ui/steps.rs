//! Overlays for runbook steps: choosing a command or branch, confirming a run
//! (typing the id for dangerous steps), a closed gate, and the output panel.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::overlay::{boxed, centered, dialog};
use super::text::{clean, clip, masked, wrap};
use super::{put_line, theme};
use crate::app::keys;
use crate::app::modal::{BranchPick, CommandPick, RunDraft};
use crate::app::next::{GatePlan, StepIntent};
use crate::app::state::App;
use crate::domain::incident::Purpose;
use crate::domain::time::short_duration;

fn purpose_title(p: Purpose) -> &'static str {
    match p {
        Purpose::Run => " Run this step's command? ",
        Purpose::Verify => " Run this step's verify check? ",
        Purpose::Rollback => " Roll this step back? ",
        Purpose::Query => " Ask this step's query? ",
    }
}

/// Commands of a step to pick from, numbered.
pub fn pick_command(p: &CommandPick, hints: &str, reveal: bool, area: Rect, buf: &mut Buffer) {
    let r = centered(area, 100, p.options.len() as u16 + 4);
    let inner = boxed(&format!(" Which command? — {hints} "), r, buf);
    put_line(
        Line::styled(
            format!(
                "Step {} has {} {}:",
                clean(&p.step),
                p.options.len(),
                if p.query { "queries" } else { "commands" }
            ),
            theme::dim(),
        ),
        inner,
        0,
        buf,
    );
    for (i, c) in p.options.iter().enumerate() {
        let shown = masked(c, reveal);
        let first = shown.lines().next().unwrap_or_default();
        let text = clip(
            &format!(
                "{}. {} {}",
                i + 1,
                if p.query { "⌕" } else { "$" },
                clean(first)
            ),
            inner.width as usize,
        );
        let style = if i == p.cursor {
            theme::selected()
        } else {
            theme::command()
        };
        put_line(Line::styled(text, style), inner, i as u16 + 1, buf);
    }
}

/// The confirmation: the exact command, what it will do, how to go on.
/// The confirmation: exactly what will run, secrets masked unless `reveal`.
pub fn confirm_run(d: &RunDraft, hints: &str, reveal: bool, area: Rect, buf: &mut Buffer) {
    let width = area.width.saturating_sub(6).min(100);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let w = width.saturating_sub(2) as usize;
    lines.extend(wrap(
        vec![(format!("Step {}", clean(&d.step)), theme::heading())],
        w,
        0,
    ));
    if !d.editing {
        for l in masked(&d.command, reveal).lines() {
            lines.extend(wrap(
                vec![
                    ("$ ".to_string(), theme::dim()),
                    (clean(l).into_owned(), theme::command()),
                ],
                w,
                2,
            ));
        }
    }
    let mut facts = format!(
        "Runs in {}; stopped after {}; output and exit code go to the timeline.",
        clean(&d.shell),
        short_duration(d.timeout)
    );
    if d.mutating {
        facts.push_str(" It changes things.");
    }
    lines.extend(wrap(vec![(facts, theme::dim())], w, 0));
    for note in &d.notes {
        lines.extend(wrap(
            vec![(format!("Note: {}.", clean(note)), theme::warn())],
            w,
            0,
        ));
    }
    if !d.missing.is_empty() {
        lines.extend(wrap(
            vec![(
                format!(
                    "Edit the command before running it: {}.",
                    clean(&d.missing.join("; "))
                ),
                theme::bad(),
            )],
            w,
            0,
        ));
    }
    if d.editing {
        lines.extend(wrap(
            vec![(
                "Placeholders are filled from the alert's labels, and quoted, again when you keep the edit."
                    .to_string(),
                theme::dim(),
            )],
            w,
            0,
        ));
    }
    if let Some(answers) = &d.danger {
        lines.extend(wrap(
            vec![(
                format!(
                    "DANGER: type {} and press {} to run it.",
                    answers
                        .iter()
                        .map(|a| format!("'{}'", clean(a)))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    keys::key(
                        keys::Scope::Modal(keys::ModalKind::ConfirmDanger),
                        keys::Action::Submit
                    )
                ),
                theme::bad().add_modifier(Modifier::BOLD),
            )],
            w,
            0,
        ));
    }
    if let Some(e) = &d.error {
        lines.extend(wrap(vec![(clean(e).into_owned(), theme::bad())], w, 0));
    }
    let hint = if d.editing {
        format!("Editing: {hints}")
    } else {
        hints.to_string()
    };
    lines.push(Line::styled(hint, theme::warn()));
    let input_rows: u16 = if d.editing {
        (d.command.lines().count() as u16).clamp(1, 6) + 1
    } else if d.danger.is_some() {
        1
    } else {
        0
    };
    let height = lines.len() as u16 + input_rows + 2;
    let r = centered(area, width, height);
    let inner = boxed(purpose_title(d.purpose), r, buf);
    let text_rows = inner.height.saturating_sub(input_rows);
    for (row, l) in lines.into_iter().take(text_rows as usize).enumerate() {
        put_line(l, inner, row as u16, buf);
    }
    if input_rows > 0 {
        let ta_area = Rect {
            x: inner.x,
            y: inner.y + text_rows,
            width: inner.width,
            height: input_rows.min(inner.height),
        };
        d.input.render(ta_area, buf);
    }
}

/// A closed gate: which required steps are not done, and the override key.
pub fn gate(g: &GatePlan, hints: &str, area: Rect, buf: &mut Buffer) {
    let what = match g.intent {
        StepIntent::Tick => "ticked",
        StepIntent::Run(_) => "run",
    };
    dialog(
        area,
        buf,
        (72, 7),
        " Gate closed ",
        vec![
            Line::raw(format!(
                "Step {} requires {} first, not done yet.",
                clean(&g.step),
                clean(&g.missing.join(", "))
            )),
            Line::styled(
                format!(
                    "It should not be {what} before them. Overriding is recorded in the timeline."
                ),
                theme::dim(),
            ),
            Line::styled(hints.to_string(), theme::warn()),
        ],
    );
}

/// Branches of a step to pick from.
pub fn pick_branch(p: &BranchPick, hints: &str, area: Rect, buf: &mut Buffer) {
    let r = centered(area, 80, p.options.len() as u16 + 3);
    let inner = boxed(&format!(" Follow which branch? — {hints} "), r, buf);
    for (i, (label, to)) in p.options.iter().enumerate() {
        let text = clip(
            &format!("{}. {} → step {}", i + 1, clean(label), clean(to)),
            inner.width as usize,
        );
        let style = if i == p.cursor {
            theme::selected()
        } else {
            ratatui::style::Style::new()
        };
        put_line(Line::styled(text, style), inner, i as u16, buf);
    }
}

/// The output panel of the latest command: the command and its state on top,
/// the output below, following the newest line until scrolled.
pub fn output(app: &App, hints: &str, area: Rect, buf: &mut Buffer) {
    let Some(run) = &app.runs.latest else {
        return;
    };
    let r = Rect {
        x: area.x + 1,
        y: area.y + 1,
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(3),
    };
    Clear.render(r, buf);
    let (state, style) = match &run.outcome {
        None => {
            let secs = app.now.duration_since(run.started).as_secs().max(0) as u64;
            (
                format!(
                    "running {} — {} stops it",
                    short_duration(std::time::Duration::from_secs(secs)),
                    keys::key(keys::Scope::Always, keys::Action::Interrupt)
                ),
                theme::warn(),
            )
        }
        Some((o, d)) if o.is_success() => (
            format!("{} in {}", o.describe(), short_duration(*d)),
            theme::ok(),
        ),
        Some((o, d)) => (
            format!("{} after {}", o.describe(), short_duration(*d)),
            theme::bad(),
        ),
    };
    let title = Line::from(vec![
        Span::styled(
            format!(" Output · step {} · ", clean(&run.step)),
            theme::title(true),
        ),
        Span::styled(format!("{state} "), style),
    ]);
    let footer = if run.outcome.is_some() {
        format!(" {hints} ")
    } else {
        format!(
            " {hints} · {} stops it ",
            keys::key(keys::Scope::Always, keys::Action::Interrupt)
        )
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::border(true))
        .border_type(theme::border_type(true))
        .title(title)
        .title_bottom(Line::styled(footer, theme::dim()));
    let inner = block.inner(r);
    block.render(r, buf);
    let width = inner.width as usize;
    let mut head: Vec<Line<'static>> = Vec::new();
    // A query is PromQL for Prometheus, not a shell command.
    let lead = if run.purpose == Purpose::Query {
        "⌕ "
    } else {
        "$ "
    };
    for l in masked(&run.command, app.reveal).lines() {
        head.extend(wrap(
            vec![
                (lead.to_string(), theme::dim()),
                (clean(l).into_owned(), theme::command()),
            ],
            width,
            2,
        ));
    }
    if run.dropped > 0 {
        head.push(Line::styled(
            format!("… {} earlier lines dropped", run.dropped),
            theme::dim(),
        ));
    }
    let head_rows = head.len().min(inner.height as usize / 2);
    for (row, l) in head.into_iter().take(head_rows).enumerate() {
        put_line(l, inner, row as u16, buf);
    }
    let body = Rect {
        y: inner.y + head_rows as u16,
        height: inner.height.saturating_sub(head_rows as u16),
        ..inner
    };
    let rows = body.height as usize;
    if run.lines.is_empty() {
        let text = if run.outcome.is_some() {
            "(no output)"
        } else {
            "(waiting for output)"
        };
        put_line(Line::styled(text, theme::dim()), body, 0, buf);
        return;
    }
    // Long lines wrap; only the lines that reach the screen are wrapped,
    // walking back from the newest, however long the output is.
    // Scrolled to the top, the first screenful stays in view.
    let end = run
        .lines
        .len()
        .saturating_sub(run.scroll.min(run.lines.len()))
        .max(rows.min(run.lines.len()));
    let mut shown: Vec<Line<'static>> = Vec::new();
    for l in run.lines.range(..end).rev() {
        let mut wrapped = wrap(
            vec![(
                masked(l, app.reveal).into_owned(),
                ratatui::style::Style::new(),
            )],
            width,
            2,
        );
        wrapped.extend(shown);
        shown = wrapped;
        if shown.len() >= rows {
            break;
        }
    }
    let skip = shown.len().saturating_sub(rows);
    for (row, l) in shown.into_iter().skip(skip).enumerate() {
        put_line(l, body, row as u16, buf);
    }
}
