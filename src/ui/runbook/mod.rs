//! The Runbook pane: the checklist grouped by section, placeholders filled from
//! the alert's labels, ticks with time and author.

mod step;

use std::collections::BTreeMap;

use step::{code_pieces, pieces, step_lines};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::{clean, scrolled, wrap};
use super::{fill_row, framed, put_line, theme};
use crate::app::keys;
use crate::app::state::{App, DocView, Pane, PaneLayout};
use crate::domain::incident::{Incident, StepName};
use crate::domain::runbook::{Block, CodeRole, Runbook, Step};

struct Built {
    lines: Vec<Line<'static>>,
    /// For each step in order: its first and last line.
    steps: Vec<(usize, usize)>,
}

fn build(
    app: &App,
    rb: &Runbook,
    labels: &BTreeMap<String, String>,
    inc: Option<&Incident>,
    width: usize,
) -> Built {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut steps = Vec::new();
    if inc.is_none() {
        // A replay declares nothing: it says when the incident was declared.
        let declared = app.replay.as_ref().and_then(|r| {
            r.events
                .iter()
                .find(|e| matches!(e.kind, crate::domain::incident::EventKind::Declared { .. }))
                .map(|e| e.effective())
        });
        let preview = match declared {
            Some(at) => format!(
                "Preview — in the journal, the incident is declared at {} UTC.",
                at.strftime("%H:%M:%S")
            ),
            None => format!(
                "Preview — {} (here or on the alert) declares an incident and starts this checklist.",
                keys::pane_key(Pane::Alerts, keys::Action::Open)
            ),
        };
        lines.extend(wrap(vec![(preview, theme::warn())], width, 0));
    }
    // Steps in document order with their number inside their section.
    let mut numbered: Vec<(&Step, usize)> = Vec::new();
    for section in &rb.sections {
        for (n, st) in section.steps.iter().enumerate() {
            numbered.push((st, n + 1));
        }
    }
    // Inside `<details>`, everything is indented under its summary; folded
    // (`z`), only the steps in it stay, so none is out of reach.
    let mut folded = 0usize;
    let hide = app.runbook.fold_details;
    for block in &rb.blocks {
        let pad = "  ".repeat(folded);
        let inside = folded > 0 && hide;
        match block {
            Block::Details { .. } | Block::DetailsEnd | Block::Step(_) => {}
            _ if inside => continue,
            _ => {}
        }
        match block {
            Block::Heading { level: 2, text, .. } => lines.push(Line::from(Span::styled(
                format!("▌{}", clean(text).to_uppercase()),
                theme::heading(),
            ))),
            Block::Heading { text, .. } => lines.push(Line::from(Span::styled(
                format!("{pad}▎{}", clean(text)),
                theme::heading(),
            ))),
            Block::Paragraph { text, .. } => {
                let mut p = vec![(pad.clone(), theme::dim())];
                p.extend(pieces(text, labels, theme::dim()));
                lines.extend(wrap(p, width, pad.len()));
            }
            Block::Quote { text, .. } => {
                let mut p = vec![(format!("{pad}┃ "), theme::dim())];
                p.extend(pieces(text, labels, theme::dim()));
                lines.extend(wrap(p, width, pad.len() + 2));
            }
            Block::Item {
                depth,
                marker,
                text,
                ..
            } => {
                let indent = format!("{pad}{}", "  ".repeat(depth.saturating_sub(1)));
                let lead = if marker.is_empty() {
                    format!("{indent}  ")
                } else {
                    format!("{indent}{marker} ")
                };
                let hang = lead.chars().count();
                let mut p = vec![(lead, theme::dim())];
                p.extend(pieces(text, labels, theme::dim()));
                lines.extend(wrap(p, width, hang));
            }
            Block::Code { text, role, .. } => {
                let lead = match role {
                    CodeRole::Command => "  $ ",
                    CodeRole::Query => "  ⌕ ",
                    CodeRole::Example => "  │ ",
                };
                let style = match role {
                    CodeRole::Example => theme::dim(),
                    CodeRole::Command | CodeRole::Query => theme::command(),
                };
                for (k, l) in text.lines().enumerate() {
                    let lead = if k == 0 || *role == CodeRole::Example {
                        lead.to_string()
                    } else {
                        "    ".to_string()
                    };
                    let pieces = code_pieces(l, labels, style);
                    if *role == CodeRole::Example {
                        let mut p = vec![(format!("{pad}{lead}"), theme::dim())];
                        p.extend(pieces);
                        lines.extend(wrap(p, width, pad.len() + 4));
                    } else {
                        // Commands stay on one line, scrolled sideways.
                        lines.push(scrolled(
                            (format!("{pad}{lead}"), theme::dim()),
                            pieces,
                            width,
                            app.runbook.hscroll,
                        ));
                    }
                }
            }
            Block::Table { rows, .. } => lines.extend(table(rows, &pad, width)),
            Block::Details { summary, .. } => {
                let (mark, hint) = if hide {
                    ("▸", format!(" ({} unfolds)", fold_key()))
                } else {
                    ("▾", String::new())
                };
                lines.extend(wrap(
                    vec![
                        (format!("{pad}{mark} {}", clean(summary)), theme::heading()),
                        (hint, theme::dim()),
                    ],
                    width,
                    pad.len() + 2,
                ));
                folded += 1;
            }
            Block::DetailsEnd => folded = folded.saturating_sub(1),
            Block::Step(i) => {
                let Some((st, n)) = numbered.get(*i).copied() else {
                    continue;
                };
                let first = lines.len();
                lines.extend(step_lines(app, rb, st, n, labels, inc, width));
                steps.push((first, lines.len().saturating_sub(1)));
            }
        }
    }
    if let Some(inc) = inc {
        gone(rb, inc, width, &mut lines);
    }
    Built { lines, steps }
}

fn fold_key() -> String {
    keys::pane_key(Pane::Runbook, keys::Action::FoldDetails)
}

/// Steps done in this runbook that it no longer has (the file was edited
/// since): their ticks stay in the timeline and the export, and the pane
/// says they are gone rather than move them onto other steps.
fn gone(rb: &Runbook, inc: &Incident, width: usize, lines: &mut Vec<Line<'static>>) {
    let present: Vec<StepName<'_>> = rb.steps().map(|(_, s)| StepName::from(s)).collect();
    let gone = inc.gone_steps(&rb.id, &present);
    if gone.is_empty() {
        return;
    }
    lines.push(Line::styled(
        "▌DONE, NO LONGER IN THIS RUNBOOK (edited since)",
        theme::warn(),
    ));
    for (_, m) in gone {
        lines.extend(wrap(
            vec![
                ("[x] ".into(), theme::done()),
                (
                    format!("{} — {} ", clean(&m.section), clean(&m.text)),
                    theme::dim(),
                ),
                (
                    format!(
                        "✔ {} {} · step gone",
                        crate::domain::time::utc_clock(m.mark.at),
                        clean(&m.mark.by)
                    ),
                    theme::warn(),
                ),
            ],
            width,
            4,
        ));
    }
}

/// Makes each `<scheme://…>` address drawn whole on a row of `area` a
/// terminal hyperlink (OSC 8), two cells at a time as the buffer allows.
/// Addresses cut by wrapping stay plain text. The text was sanitised when
/// drawn, so an address holds no control character to escape with.
fn hyperlinks(area: Rect, row: u16, buf: &mut Buffer) {
    static ADDRESS: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"<([a-z][a-z0-9+.-]*://[^<>\s]+)>").ok());
    let Some(re) = ADDRESS.as_ref() else {
        return;
    };
    let y = area.y + row;
    // The row as text, and the cell each character came from.
    let mut text = String::new();
    let mut cells = Vec::new();
    for x in area.x..area.x + area.width {
        let s = buf[(x, y)].symbol().to_string();
        if s.chars().count() != 1 || !s.is_ascii() {
            // Wide or multi-char cells end any address.
            text.push(' ');
        } else {
            text.push_str(&s);
        }
        cells.push(x);
    }
    for m in re.captures_iter(&text) {
        let Some(url) = m.get(1) else { continue };
        let (from, to) = (url.start(), url.end());
        let mut i = from;
        while i < to {
            let n = (to - i).min(2);
            let chunk = &text[i..i + n];
            let linked = format!(
                "\u{1b}]8;;{}\u{1b}\\{chunk}\u{1b}]8;;\u{1b}\\",
                url.as_str()
            );
            // The escape sequence has no width on screen: the cell is as
            // wide as the characters it shows.
            let width = std::num::NonZeroU16::new(n as u16).unwrap_or(std::num::NonZeroU16::MIN);
            buf[(cells[i], y)]
                .set_symbol(&linked)
                .set_diff_option(ratatui::buffer::CellDiffOption::ForcedWidth(width));
            if n == 2 {
                buf[(cells[i + 1], y)].set_diff_option(ratatui::buffer::CellDiffOption::Skip);
            }
            i += n;
        }
    }
}

/// A table, columns as wide as their widest cell (up to a share of the
/// pane), the header in the heading style.
fn table(rows: &[Vec<String>], pad: &str, width: usize) -> Vec<Line<'static>> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    if cols == 0 {
        return Vec::new();
    }
    let share = (width.saturating_sub(pad.len() + 3 * cols) / cols).max(4);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| unicode_width::UnicodeWidthStr::width(clean(cell).as_ref()))
                .max()
                .unwrap_or(0)
                .min(share)
        })
        .collect();
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let cells: Vec<String> = (0..cols)
                .map(|c| super::text::fit(&clean(r.get(c).map_or("", String::as_str)), widths[c]))
                .collect();
            let style = if i == 0 {
                theme::heading()
            } else {
                theme::dim()
            };
            Line::styled(format!("{pad}  {}", cells.join(" │ ")), style)
        })
        .collect()
}

fn no_runbook(app: &App, inner: Rect, buf: &mut Buffer) {
    let live = app.shown_alert();
    let frozen = app.incident_state().map(|i| &i.alert);
    let (name, labels) = match (live, frozen) {
        (Some(a), _) => (a.name().to_string(), &a.labels),
        // Declared by hand: no alert, so nothing to match a runbook by.
        (None, Some(f)) if f.is_manual() => {
            let lines = wrap(
                vec![(
                    "Declared by hand: no alert to match a runbook by. :runbook NAME attaches one."
                        .to_string(),
                    theme::dim(),
                )],
                inner.width as usize,
                0,
            );
            for (row, line) in lines.into_iter().enumerate() {
                put_line(line, inner, row as u16, buf);
            }
            return;
        }
        (None, Some(f)) => (f.name.clone(), &f.labels),
        (None, None) => {
            // With no alert source, a runbook is opened by name.
            let how = if app.alerts.status.off.is_some() {
                "No alert source: :runbook NAME opens a runbook."
            } else {
                "Select an alert to see its runbook."
            };
            put_line(Line::styled(how, theme::dim()), inner, 0, buf);
            return;
        }
    };
    let width = inner.width as usize;
    let name = clean(&name).into_owned();
    let mut why = format!("No runbook matches {name}");
    if let Some(slug) = live.and_then(|a| a.runbook_slug()) {
        why.push_str(&format!(" (its runbook_url names '{}')", clean(&slug)));
    }
    why.push_str(&format!(
        ". Open one with :runbook NAME, or add one with `alerts: [{name}]` in its front matter."
    ));
    let mut lines = wrap(vec![(why, theme::warn())], width, 0);
    let annotations: Vec<(String, String)> = match (live, frozen) {
        (Some(a), _) => a
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        (None, Some(f)) if !f.summary.is_empty() => vec![("summary".into(), f.summary.clone())],
        _ => Vec::new(),
    };
    if !annotations.is_empty() {
        lines.push(Line::styled("Annotations", theme::heading()));
        for (k, v) in &annotations {
            lines.extend(wrap(
                vec![
                    (format!("  {}: ", clean(k)), theme::dim()),
                    (clean(v).into_owned(), Style::new()),
                ],
                width,
                4,
            ));
        }
    }
    lines.push(Line::styled("Labels", theme::heading()));
    for (k, v) in labels {
        lines.extend(wrap(
            vec![(format!("  {}={}", clean(k), clean(v)), Style::new())],
            width,
            4,
        ));
    }
    for (row, l) in lines.into_iter().enumerate() {
        put_line(l, inner, row as u16, buf);
    }
}

/// Where the document goes in the pane, and what it holds.
struct Prepared {
    inner: Rect,
    built: Built,
    /// The first row shown.
    start: usize,
}

/// Lays the shown runbook out in `inner` (the pane without its border), past
/// the banners, and decides the first row shown: the view's, else one that
/// keeps the selected step in view.
fn prepare(
    app: &App,
    rb: &Runbook,
    mut inner: Rect,
    banners: &mut Vec<(Line<'static>, u16)>,
) -> Prepared {
    let inc = app.incident_state();
    let labels = app.shown_labels().cloned().unwrap_or_default();
    if let Some(days) =
        crate::domain::lint::stale(rb, app.runbooks.history.used.get(&rb.id).copied(), app.now)
    {
        let when = days.map_or("never exercised".to_string(), |d| {
            format!("last exercised {d} days ago")
        });
        banners.push((
            Line::styled(
                super::text::clip(
                    &format!("STALE — {when}: check its commands before trusting them"),
                    inner.width as usize,
                ),
                theme::warn().add_modifier(ratatui::style::Modifier::REVERSED),
            ),
            inner.y,
        ));
        inner.y += 1;
        inner.height = inner.height.saturating_sub(1);
    }
    if let Some(e) = app.runbooks.reload_errors.get(&rb.path) {
        let text = format!(
            "⚠ edit not loaded, showing the last good version: {}",
            clean(e)
        );
        let rows = wrap(vec![(text, theme::bad())], inner.width as usize, 2);
        let n = rows.len().min(3) as u16;
        for (row, l) in rows.into_iter().take(3).enumerate() {
            banners.push((l, inner.y + row as u16));
        }
        inner.y += n;
        inner.height = inner.height.saturating_sub(n);
    }
    let built = build(app, rb, &labels, inc, inner.width as usize);
    let height = inner.height as usize;
    let last = built.lines.len().saturating_sub(height);
    let start = match app.runbook.view {
        DocView::Top(t) => t.min(last),
        DocView::Follow => match built.steps.get(app.runbook.cursor).copied() {
            Some((first, end)) if end >= height => first.saturating_sub(height / 3).min(last),
            _ => 0,
        },
    };
    Prepared {
        inner,
        built,
        start,
    }
}

/// How the Runbook pane lays its document out in `area` (its whole pane),
/// for the loop to tell the reducer; `None` when no runbook is shown.
pub fn layout(app: &App, area: Rect) -> Option<PaneLayout> {
    let rb = app.shown_runbook()?;
    let inner = ratatui::widgets::Block::bordered().inner(area);
    let p = prepare(app, rb, inner, &mut Vec::new());
    Some(PaneLayout {
        rows: p.built.lines.len(),
        height: p.inner.height as usize,
        top: p.start,
    })
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    let inc = app.incident_state();
    let rb = app.shown_runbook();
    let mut title = vec![Span::raw("Runbook")];
    if let Some(rb) = rb {
        title.push(Span::raw(format!(" · {}", clean(&rb.title))));
        let total = rb.steps().count();
        if let Some(inc) = inc {
            let done = rb
                .steps()
                .filter(|(_, s)| inc.step_done(&rb.id, *s).is_some())
                .count();
            title.push(Span::styled(
                format!(" · {done}/{total} done"),
                theme::done(),
            ));
            let n = inc.attached.len();
            if n > 1 {
                let at = inc
                    .attached
                    .iter()
                    .position(|r| r.id == rb.id)
                    .map_or(0, |i| i + 1);
                title.push(Span::styled(
                    format!(" · runbook {at} of {n} ([ ])"),
                    theme::heading(),
                ));
            }
        } else {
            title.push(Span::styled(" · preview", theme::warn()));
        }
    }
    let inner = framed(title, focused, area, buf);
    let Some(rb) = rb else {
        return no_runbook(app, inner, buf);
    };
    let mut banners = Vec::new();
    let p = prepare(app, rb, inner, &mut banners);
    for (line, y) in banners {
        put_line(
            line,
            Rect {
                y,
                height: 1,
                ..inner
            },
            0,
            buf,
        );
    }
    let (inner, start) = (p.inner, p.start);
    let height = inner.height as usize;
    let total = p.built.lines.len();
    let selected = p.built.steps.get(app.runbook.cursor).copied();
    for (row, line) in p
        .built
        .lines
        .into_iter()
        .skip(start)
        .take(height)
        .enumerate()
    {
        put_line(line, inner, row as u16, buf);
    }
    if app.settings.hyperlinks {
        for row in 0..height.min(total.saturating_sub(start)) {
            hyperlinks(inner, row as u16, buf);
        }
    }
    if let Some((first, last)) = selected
        && inc.is_some()
    {
        for l in first.max(start)..=last {
            if l >= start && l - start < height {
                let row = (l - start) as u16;
                if l == first {
                    fill_row(inner, row, theme::selected(), buf);
                } else {
                    super::fill_row_unmarked(inner, row, theme::selected(), buf);
                }
            }
        }
    }
    // Where the view is in a document longer than the pane.
    if total > height && height > 0 {
        let pos = format!(" {}–{}/{} ", start + 1, (start + height).min(total), total);
        let w = pos.chars().count() as u16;
        if area.width > w + 2 {
            put_line(
                Line::styled(pos, theme::dim()),
                Rect {
                    x: area.x + area.width - w - 1,
                    y: area.y + area.height.saturating_sub(1),
                    width: w,
                    height: 1,
                },
                0,
                buf,
            );
        }
    }
}
