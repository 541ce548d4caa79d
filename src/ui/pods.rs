//! The Pods pane: kubectl-style columns, unhealthy pods first.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text::{clean, fit};
use super::{empty_list, fill_row, framed, put_line, source_badge, theme, window_start};
use crate::app::state::{App, Pane};
use std::borrow::Cow;

use unicode_width::UnicodeWidthStr;

use crate::domain::pod::Pod;
use crate::domain::time::kube_age;

pub fn render(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    // The rows are kept sorted as changes come: only the window drawn is
    // visited here, whatever the number of pods.
    let view = app.pod_rows();
    let pods = &view.rows;
    let scope = app.pod_scope();
    // Across namespaces a name alone is ambiguous: it is shown as ns/name.
    let across = scope.namespace == crate::domain::pod::ALL_NAMESPACES;
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
    let height = inner.height.saturating_sub(1) as usize;
    let start = window_start(app.pods.cursor, pods.len(), height);
    // Only the rows drawn are measured: the columns fit what is on screen.
    let cells: Vec<Cells<'_>> = pods
        .iter_from(start)
        .take(height)
        .map(|p| Cells::of(p, app.now, across))
        .collect();
    let cols = Columns::fit(&cells, inner.width as usize);
    let mut header = format!(
        "{} {} {} {} {}",
        fit(if across { "NAMESPACE/NAME" } else { "NAME" }, cols.name),
        fit("READY", READY_W),
        fit("STATUS", cols.status),
        fit("RESTARTS", cols.restarts),
        fit("AGE", cols.age),
    );
    if cols.node > 0 {
        header.push_str(&format!(" {}", fit("NODE", cols.node)));
    }
    put_line(Line::styled(header, theme::dim()), inner, 0, buf);
    for (row, (c, p)) in cells.iter().zip(pods.iter_from(start)).enumerate() {
        let i = start + row;
        let status = match (&c.exit, cols.exit) {
            (Some(exit), true) => format!("{} ({exit})", c.status),
            _ => c.status.to_string(),
        };
        let mut spans = vec![
            Span::raw(fit(&c.name, cols.name)),
            Span::raw(" "),
            Span::raw(fit(&format!("{}/{}", p.ready, p.containers), READY_W)),
            Span::raw(" "),
            Span::styled(fit(&status, cols.status), theme::pod_status(&p.status)),
            Span::raw(" "),
            Span::styled(
                fit(
                    match cols.timed {
                        Timed::Ago => &c.restarts,
                        Timed::Short => &c.short,
                        Timed::No => &c.count,
                    },
                    cols.restarts,
                ),
                if p.restarts > 0 {
                    theme::warn()
                } else {
                    theme::dim()
                },
            ),
            Span::raw(" "),
            Span::raw(fit(&c.age, cols.age)),
        ];
        if cols.node > 0 {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(fit(&c.node, cols.node), theme::dim()));
        }
        let row = row as u16 + 1;
        put_line(Line::from(spans), inner, row, buf);
        super::hits::row(inner, row, Pane::Pods, i);
        if focused && i == app.pods.cursor {
            fill_row(inner, row, theme::selected(), buf);
        }
    }
}

/// Width of READY (`1/1` under its header).
const READY_W: usize = 5;
/// Longer node names are cut: the start names the node well enough.
const NODE_MAX: usize = 20;
/// Names are cut to this before any other column is given up.
const NAME_MIN: usize = 10;

/// One row's texts, cleaned for the terminal.
struct Cells<'a> {
    name: Cow<'a, str>,
    status: Cow<'a, str>,
    /// How the last earlier run ended (`OOMKilled 137`), when one did.
    exit: Option<String>,
    restarts: String,
    /// `5 (2m)`, when RESTARTS has no room for the whole.
    short: String,
    /// The bare restart count, when RESTARTS has no room for the time.
    count: String,
    age: String,
    node: Cow<'a, str>,
}

impl<'a> Cells<'a> {
    fn of(p: &'a Pod, now: jiff::Timestamp, across: bool) -> Cells<'a> {
        Cells {
            name: if across {
                Cow::Owned(format!("{}/{}", clean(&p.namespace), clean(&p.name)))
            } else {
                clean(&p.name)
            },
            status: clean(&p.status),
            exit: p
                .last_exit
                .as_deref()
                .filter(|_| !p.is_healthy())
                .map(|e| clean(&e.replace(", exit ", " ")).into_owned())
                // `OOMKilled (OOMKilled 137)` would say it twice.
                .filter(|e| !e.starts_with(&format!("{} ", p.status))),
            restarts: restarts_text(p, now),
            short: restarts_text(p, now).replace(" ago)", ")"),
            count: p.restarts.to_string(),
            age: kube_age(p.created_at, now),
            node: clean(&p.node),
        }
    }
}

/// How much RESTARTS says about the last restart's time.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Timed {
    /// `5 (2m ago)`, as kubectl prints it.
    Ago,
    /// `5 (2m)`.
    Short,
    /// `5`.
    No,
}

/// Column widths for the rows on screen; 0 for NODE when it is left out.
#[derive(Debug, PartialEq)]
struct Columns {
    name: usize,
    status: usize,
    /// STATUS carries the last exit (`CrashLoopBackOff (OOMKilled 137)`).
    exit: bool,
    restarts: usize,
    /// How RESTARTS says when the last one was: `5 (2m ago)`, `5 (2m)`, `5`.
    timed: Timed,
    age: usize,
    node: usize,
}

impl Columns {
    /// Every column as wide as its widest cell. When that is too wide, the
    /// last exit leaves STATUS first, then the last restart's time is said
    /// shorter (`5 (2m)`) and then not at all (the details view has both),
    /// then NODE goes, then NAME is cut.
    fn fit(cells: &[Cells], width: usize) -> Columns {
        let widest = |f: &dyn Fn(&Cells) -> usize, header: usize| {
            cells.iter().map(f).max().unwrap_or(0).max(header)
        };
        let bare = widest(&|c| c.status.width(), 6);
        let with_exit = widest(
            &|c| c.status.width() + c.exit.as_ref().map_or(0, |e| e.width() + 3),
            6,
        );
        let mut cols = Columns {
            name: widest(&|c| c.name.width(), 4),
            status: with_exit,
            exit: with_exit > bare,
            restarts: widest(&|c| c.restarts.width(), 8),
            timed: Timed::Ago,
            age: widest(&|c| c.age.width(), 3),
            node: widest(&|c| c.node.width(), 4).min(NODE_MAX),
        };
        let used = |c: &Columns| {
            let node = if c.node > 0 { c.node + 1 } else { 0 };
            c.name + READY_W + c.status + c.restarts + c.age + 4 + node
        };
        if used(&cols) > width && cols.exit {
            cols.exit = false;
            cols.status = bare;
        }
        if used(&cols) > width {
            cols.timed = Timed::Short;
            cols.restarts = widest(&|c| c.short.width(), 8);
        }
        if used(&cols) > width {
            cols.timed = Timed::No;
            cols.restarts = widest(&|c| c.count.width(), 8);
        }
        if used(&cols) > width {
            // Without NODE there may be room for the restart time again.
            cols.node = 0;
            let ago = widest(&|c| c.restarts.width(), 8);
            let short = widest(&|c| c.short.width(), 8);
            for (timed, restarts) in [(Timed::Ago, ago), (Timed::Short, short)] {
                let wider = Columns {
                    timed,
                    restarts,
                    ..cols
                };
                if used(&wider) <= width {
                    cols = wider;
                    break;
                }
            }
        }
        let over = used(&cols).saturating_sub(width);
        cols.name = cols.name.saturating_sub(over).max(NAME_MIN);
        cols
    }
}

/// Restarts as kubectl prints them: `5 (2m30s ago)` when the last restart
/// time is known, else the bare count.
pub fn restarts_text(p: &Pod, now: jiff::Timestamp) -> String {
    match p.last_restart.filter(|_| p.restarts > 0) {
        Some(at) => format!("{} ({} ago)", p.restarts, kube_age(at, now)),
        None => p.restarts.to_string(),
    }
}

#[cfg(test)]
mod tests;
