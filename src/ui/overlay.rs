//! Modal layers drawn over the panes: help, note editor, quit confirmation.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::text::{clean, fit};
use super::theme;
use crate::app::command::COMMANDS;
use crate::app::keys::{KEYS, Scope, labels};
use crate::app::state::{App, Mode, Pane};

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    match &app.mode {
        Mode::Normal | Mode::Command(_) | Mode::Filter(..) => {}
        Mode::Confirm(action) => dialog(
            area,
            buf,
            (72, 7),
            " Change the cluster? ",
            vec![
                Line::raw(format!("This will {}.", clean(&action.describe()))),
                Line::styled(
                    "It is recorded in the incident timeline with the server's answer.",
                    theme::dim(),
                ),
                Line::styled("y does it · any other key cancels", theme::warn()),
            ],
        ),
        Mode::PodDetail => super::pod_detail::render(app, area, buf),
        Mode::PickCommand(p) => super::steps::pick_command(p, area, buf),
        Mode::ConfirmRun(d) => super::steps::confirm_run(d, area, buf),
        Mode::Gate(g) => super::steps::gate(g, area, buf),
        Mode::PickBranch(p) => super::steps::pick_branch(p, area, buf),
        Mode::Output => super::steps::output(app, area, buf),
        Mode::IncidentPanel => super::incident::panel(app, area, buf),
        Mode::Updates => super::incident::updates(app, area, buf),
        Mode::ConfirmResolve => super::incident::confirm_resolve(app, area, buf),
        Mode::StatusUpdate(d) => super::incident::editor(d, area, buf),
        Mode::ActionForm(d) => super::incident::action_form(d, area, buf),
        Mode::Help => help(app, area, buf),
        Mode::Note(ta) => {
            let r = centered(area, 72, 8);
            let inner = boxed(" Note — Enter saves · Esc cancels ", r, buf);
            ta.render(inner, buf);
        }
        Mode::ConfirmQuit => dialog(
            area,
            buf,
            (60, if app.running() { 7 } else { 6 }),
            " Quit? ",
            {
                let mut lines = Vec::new();
                if app.incident_open() {
                    lines.push(Line::raw(format!(
                        "Incident {} is still open.",
                        open_id(app)
                    )));
                }
                if app.running() {
                    lines.push(Line::styled(
                        "A runbook command is still running: quitting stops it.",
                        theme::bad(),
                    ));
                }
                lines.push(Line::styled(
                    "Its journal is saved; reopen it later with Enter on the alert.",
                    theme::dim(),
                ));
                lines.push(Line::styled("Quit anyway? y / n", theme::warn()));
                lines
            },
        ),
    }
}

/// Help text built from the key and command tables, so it is always true.
pub fn help_lines() -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let scopes = [Scope::Global]
        .into_iter()
        .chain(Pane::ALL.iter().map(|p| Scope::In(*p)));
    for scope in scopes {
        let rows: Vec<_> = KEYS.iter().filter(|b| b.scope == scope).collect();
        if rows.is_empty() {
            continue;
        }
        let name = match scope {
            Scope::Global => "Everywhere".to_string(),
            Scope::In(p) => format!("In {}", p.title()),
        };
        lines.push(Line::styled(name, theme::heading()));
        for b in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {}", fit(&labels(b), 18)), theme::title(true)),
                Span::raw(b.help),
            ]));
        }
    }
    lines.push(Line::styled("Commands (type : first)", theme::heading()));
    for (name, args, what) in COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {}", fit(&format!("{name} {args}"), 18)),
                theme::title(true),
            ),
            Span::raw(*what),
        ]));
    }
    lines
}

fn help(app: &App, area: Rect, buf: &mut Buffer) {
    let lines = help_lines();
    let r = centered(area, 104, lines.len() as u16 + 2);
    let inner = boxed(" Help — j/k scroll · Esc closes ", r, buf);
    let max = lines.len().saturating_sub(inner.height as usize);
    let scroll = app.help_scroll.min(max);
    Paragraph::new(lines)
        .scroll((scroll as u16, 0))
        .render(inner, buf);
}

/// The open incident's id, cleaned for display.
pub(super) fn open_id(app: &App) -> String {
    app.incident
        .as_ref()
        .map(|i| clean(&i.id).into_owned())
        .unwrap_or_default()
}

/// A small centred question box of `size` (width, height) with wrapped lines.
pub(super) fn dialog(
    area: Rect,
    buf: &mut Buffer,
    size: (u16, u16),
    title: &'static str,
    lines: Vec<Line<'static>>,
) {
    let inner = boxed(title, centered(area, size.0, size.1), buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .render(inner, buf);
}

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    let [v] = Layout::vertical([Constraint::Length(h)])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::horizontal([Constraint::Length(w)])
        .flex(Flex::Center)
        .areas(v);
    r
}

pub(super) fn boxed(title: &'static str, r: Rect, buf: &mut Buffer) -> Rect {
    Clear.render(r, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::border(true))
        .title(Line::styled(title, theme::title(true)));
    let inner = block.inner(r);
    block.render(r, buf);
    inner
}
