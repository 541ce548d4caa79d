//! Modal layers drawn over the panes: help, note editor, quit confirmation.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

use super::text::{clean, fit};
use super::theme;
use crate::app::keys::{self, Action};
use crate::app::modal::{HelpDraft, Mode, offers};
use crate::app::state::{App, Pane};
use crate::sources::kubernetes::Action as ClusterAction;

/// The hint line of the dialog that is up, from the key table.
pub(super) fn hints(app: &App, mode: &Mode) -> String {
    let tail = matches!(mode, Mode::PodDetail | Mode::Output);
    mode.kind()
        .map(|k| keys::modal_hints(k, |a| offers(mode, app, a), tail))
        .unwrap_or_default()
}

/// A box title: a name and the dialog's hint line.
pub(super) fn titled(name: &str, app: &App, mode: &Mode) -> String {
    format!(" {name} — {} ", hints(app, mode))
}

/// What a cluster change will do, the replica count it changes (`3 → 5`),
/// and where it is recorded: the audit log always, the timeline only when an
/// incident is open, so the dialog never promises a record that is not made.
fn cluster_change(app: &App, action: &ClusterAction) -> Vec<Line<'static>> {
    let mut lines = vec![Line::raw(format!(
        "This will {}.",
        clean(&action.describe())
    ))];
    if let ClusterAction::Scale {
        namespace,
        workload,
        replicas,
    } = action
    {
        let now = app
            .pods
            .replicas_now
            .as_ref()
            .filter(|r| &r.namespace == namespace && &r.workload == workload)
            .and_then(|r| r.answer.clone());
        lines.push(match now {
            Some(Ok(n)) => Line::raw(format!("Replicas: {n} → {replicas}")),
            Some(Err(e)) => Line::styled(
                format!(
                    "Replicas: ? → {replicas} (current count unknown: {})",
                    clean(&e)
                ),
                theme::bad(),
            ),
            None => Line::styled(
                format!("Replicas: … → {replicas} (asking the API for the current count)"),
                theme::dim(),
            ),
        });
    }
    let recorded = if app.incident_state().is_some() {
        "Recorded in the audit log and the incident timeline, with the answer."
    } else {
        "Recorded in the audit log with the server's answer (no incident open)."
    };
    lines.push(Line::styled(recorded, theme::dim()));
    lines
}

pub fn render(app: &App, mode: &Mode, area: Rect, buf: &mut Buffer) {
    match mode {
        Mode::Normal | Mode::CommandLine(_) | Mode::Filter(_) => {}
        Mode::ClusterConfirm(action) => {
            let mut lines = cluster_change(app, action);
            lines.push(Line::styled(hints(app, mode), theme::warn()));
            dialog(area, buf, (72, 7), " Change the cluster? ", lines)
        }
        Mode::PodDetail => super::pod_detail::render(app, &hints(app, mode), area, buf),
        Mode::PickCommand(p) => {
            super::steps::pick_command(p, &hints(app, mode), app.reveal, area, buf)
        }
        Mode::ConfirmRun(d) => {
            super::steps::confirm_run(d, &hints(app, mode), app.reveal, area, buf)
        }
        Mode::Gate(g) => super::steps::gate(g, &hints(app, mode), area, buf),
        Mode::PickBranch(p) => super::steps::pick_branch(p, &hints(app, mode), area, buf),
        Mode::Output => super::steps::output(app, &hints(app, mode), area, buf),
        Mode::IncidentPanel(d) => {
            super::incident::panel(app, d.top, &titled("Incident", app, mode), area, buf)
        }
        Mode::Updates(d) => {
            super::incident::updates(app, d.top, &titled("Status updates", app, mode), area, buf)
        }
        Mode::Gameday(d) => super::exercise::preflight(app, d, &hints(app, mode), area, buf),
        Mode::ConfirmResolve => super::incident::confirm_resolve(app, &hints(app, mode), area, buf),
        Mode::ConfirmMitigate => {
            super::incident::confirm_mitigate(app, &hints(app, mode), area, buf)
        }
        Mode::ConfirmUntick(ask) => {
            super::incident::confirm_untick(ask, &hints(app, mode), area, buf)
        }
        Mode::StatusUpdate(d) => super::incident::editor(d, &hints(app, mode), area, buf),
        Mode::ActionForm(d) => {
            super::incident::action_form(d, &titled("Action item", app, mode), area, buf)
        }
        Mode::Help(d) => help(
            d,
            &titled("Help", app, mode),
            area,
            buf,
            app.replay.is_some(),
        ),
        Mode::TimelineEntry(d) => super::timeline::entry(
            app,
            d.row,
            d.top,
            &titled("Timeline entry", app, mode),
            area,
            buf,
        ),
        Mode::Note(d) => {
            let r = centered(area, 72, 8);
            let inner = boxed(&titled("Note", app, mode), r, buf);
            d.editor.render(inner, buf);
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
                if app.gameday.as_ref().is_some_and(|g| g.fault_in()) {
                    lines.push(Line::styled(
                        "A game-day's fault is in: quitting deletes it first.",
                        theme::bad(),
                    ));
                }
                let exercise = app
                    .incident_state()
                    .is_some_and(|i| i.exercise.is_some() || i.alert.is_manual());
                lines.push(Line::styled(
                    if exercise {
                        format!(
                            "Its journal is saved; come back with :join {} (or warroom open {}).",
                            open_id(app),
                            open_id(app)
                        )
                    } else {
                        format!(
                            "Its journal is saved; reopen it later with {} on the alert.",
                            keys::pane_key(Pane::Alerts, Action::Open)
                        )
                    },
                    theme::dim(),
                ));
                lines.push(Line::styled(
                    format!("Quit anyway? {}", hints(app, mode)),
                    theme::warn(),
                ));
                lines
            },
        ),
    }
}

/// Help text built from the key and command tables, so it is always true,
/// wrapped to `width`: descriptions hang under their own column, and keys
/// too wide for theirs get a line of their own.
pub fn help_lines(width: usize, replay: bool) -> Vec<Line<'static>> {
    const KEYS: usize = 18;
    let mut lines = Vec::new();
    let mut sections = keys::help().sections;
    if replay {
        // A replay's own keys come first: Space and [ ] mean something else
        // here than in the cockpit below.
        sections.insert(
            0,
            keys::HelpSection {
                title: "In this replay (nothing that writes or runs works)".into(),
                rows: vec![
                    ("Space".into(), "pause / play"),
                    ("+ / -".into(), "faster / slower"),
                    ("] / [".into(), "next event / take the latest one back"),
                    ("q  Ctrl-C".into(), "leave the replay"),
                ],
            },
        );
    }
    for section in sections {
        lines.push(Line::styled(section.title, theme::heading()));
        for (keys, what) in section.rows {
            let key_col = if keys.chars().count() > KEYS {
                lines.push(Line::styled(format!("  {keys}"), theme::title(true)));
                " ".repeat(KEYS)
            } else {
                fit(&keys, KEYS)
            };
            lines.extend(super::text::wrap(
                vec![
                    (format!("  {key_col}"), theme::title(true)),
                    (format!(" {what}"), ratatui::style::Style::new()),
                ],
                width,
                KEYS + 3,
            ));
        }
    }
    lines
}

/// Where help is drawn on a screen of `area`, and its lines there.
fn help_box(area: Rect, replay: bool) -> (Rect, Vec<Line<'static>>) {
    let r = centered(area, 104, area.height);
    let lines = help_lines(r.width.saturating_sub(2) as usize, replay);
    (r, lines)
}

fn help(d: &HelpDraft, title: &str, area: Rect, buf: &mut Buffer, replay: bool) {
    let (r, lines) = help_box(area, replay);
    let inner = boxed(title, r, buf);
    let max = lines.len().saturating_sub(inner.height as usize);
    let scroll = d.top.min(max);
    Paragraph::new(lines)
        .scroll((scroll as u16, 0))
        .render(inner, buf);
}

/// How far the overlay that is up can scroll on a screen of `area` (its
/// lines wrap to the width there); `None` for one that does not scroll
/// this way.
pub fn overlay_max(app: &App, mode: &Mode, area: Rect) -> Option<usize> {
    let fit = |lines: usize, r: Rect| lines.saturating_sub(r.height.saturating_sub(2) as usize);
    match mode {
        Mode::Help(_) => {
            let (r, lines) = help_box(area, app.replay.is_some());
            Some(fit(lines.len(), r))
        }
        Mode::TimelineEntry(d) => Some(super::timeline::entry_max(app, d.row, area)),
        Mode::Updates(_) => Some(super::incident::updates_max(app, area)),
        Mode::IncidentPanel(_) => Some(super::incident::panel_max(app, area)),
        _ => None,
    }
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
    title: &str,
    lines: Vec<Line<'static>>,
) {
    // As tall as its lines wrapped to the width there is, so on a small
    // terminal the question's last line (y/n) is still on screen.
    let width = size.0.min(area.width.saturating_sub(2));
    let wrapped = super::text::wrap_lines(lines, width.saturating_sub(2) as usize);
    let height = (wrapped.len() as u16 + 2).max(size.1);
    let inner = boxed(title, centered(area, size.0, height), buf);
    Paragraph::new(wrapped).render(inner, buf);
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

pub(super) fn boxed(title: &str, r: Rect, buf: &mut Buffer) -> Rect {
    Clear.render(r, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::border(true))
        .border_type(theme::border_type(true))
        .title(Line::styled(title.to_string(), theme::title(true)));
    let inner = block.inner(r);
    block.render(r, buf);
    inner
}
