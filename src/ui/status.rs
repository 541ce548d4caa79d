//! The status line (incident, severity, elapsed time, key hints) and the message
//! line above it, which also hosts the `:` command line.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

use super::text::{clean, clip};
use super::{put_line, theme};
use crate::app::Mode;
use crate::app::keys;
use crate::app::modal::command_line::Tabbing;
use crate::app::state::App;
use crate::domain::time::hms;

/// What the status line may show, most important first: an item with a
/// larger number is dropped before one with a smaller when the line is too
/// narrow. Severity and the deadline clock are never dropped.
mod keep {
    pub const ALWAYS: u8 = 0;
    pub const STATE: u8 = 1;
    pub const ID: u8 = 2;
    pub const ELAPSED: u8 = 3;
    pub const SOURCE: u8 = 4;
    pub const ROLE: u8 = 5;
    pub const CLUSTER: u8 = 6;
    pub const SCOPE_NOTE: u8 = 7;
}

/// The status line: the incident (severity, id, state, elapsed time, the
/// most urgent deadline), warnings about this cockpit, source health, and
/// key hints in whatever room is left.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, theme::status_bar());
    let reversed = ratatui::style::Modifier::REVERSED;
    let mut items: Vec<(u8, Span<'static>)> = Vec::new();
    if let Some(r) = &app.replay {
        // A playback is never mistaken for the live incident.
        let (sign, still) = if r.paused {
            ("❚❚", " paused")
        } else {
            ("▶", "")
        };
        items.push((
            keep::ALWAYS,
            Span::styled(
                format!(" {sign} REPLAY {}×{still} ", r.speed),
                theme::warn().add_modifier(reversed),
            ),
        ));
        items.push((
            keep::ALWAYS,
            Span::raw(format!(
                " {} UTC {}/{} ",
                app.now.strftime("%H:%M:%S"),
                r.shown,
                r.events.len()
            )),
        ));
    }
    if app.incident.as_ref().is_some_and(|i| i.gone) {
        // Nothing typed now is kept: no width may hide that.
        items.push((
            keep::ALWAYS,
            Span::styled(
                " JOURNAL DELETED — NOT SAVING ",
                theme::bad().add_modifier(reversed),
            ),
        ));
    }
    if let Some(p) = &app.watch.declaring {
        items.push((
            keep::ALWAYS,
            Span::styled(
                format!(" DECLARING {} · Enter now · Esc cancels ", clean(&p.what)),
                theme::warn().add_modifier(reversed),
            ),
        ));
    }
    if app.alerts.query().is_some() && app.incident.is_none() && app.watch.declaring.is_none() {
        // `warroom open` found the alert and declares nothing by itself.
        items.push((
            keep::ALWAYS,
            Span::styled(" Enter declares ", theme::warn().add_modifier(reversed)),
        ));
    }
    let mut id_item = None;
    match (app.incident.as_ref(), app.incident_state()) {
        (_, Some(inc)) => {
            // An exercise is never mistaken for a real incident.
            if let Some((label, clocks)) = super::exercise::status(app) {
                items.push((
                    keep::ALWAYS,
                    Span::styled(label, theme::warn().add_modifier(reversed)),
                ));
                if !clocks.is_empty() {
                    items.push((
                        keep::ALWAYS,
                        Span::styled(format!(" {clocks} "), theme::warn()),
                    ));
                }
            }
            items.push((
                keep::ALWAYS,
                Span::styled(
                    format!(" {} ", inc.severity),
                    theme::incident_severity(inc.severity),
                ),
            ));
            id_item = Some(items.len());
            items.push((
                keep::ID,
                Span::styled(
                    format!(" {} ", clean(&inc.id)),
                    Style::new().add_modifier(ratatui::style::Modifier::BOLD),
                ),
            ));
            items.push((
                keep::STATE,
                Span::raw(format!("{} ", inc.status.to_string().to_uppercase())),
            ));
            let end = inc.resolved.as_ref().map_or(app.now, |r| r.at);
            items.push((
                keep::ELAPSED,
                Span::raw(format!("T+{} ", hms(end.duration_since(inc.declared.at)))),
            ));
            // The most urgent deadline, coloured by how close it is.
            if let Some(c) = app.clocks().first() {
                items.push((
                    keep::ALWAYS,
                    Span::styled(
                        format!(
                            "{} {} ",
                            super::incident::clock_short(c.kind),
                            super::incident::clock_text(c, app)
                        ),
                        super::incident::clock_style(c),
                    ),
                ));
            }
            if let Some((ic, _)) = inc.roles.get(&crate::domain::incident::Role::Ic) {
                items.push((keep::ROLE, Span::raw(format!("IC {} ", clean(ic)))));
            }
        }
        (Some(open), None) => items.push((
            keep::ID,
            Span::raw(format!(" loading {}… ", clean(&open.id))),
        )),
        (None, None) => {
            items.push((keep::ALWAYS, Span::styled(" NO INCIDENT ", theme::dim())));
            items.push((
                keep::STATE,
                Span::raw(format!("{} alerts firing ", app.alerts.items().len())),
            ));
        }
    }
    if app.reveal {
        items.push((
            keep::ALWAYS,
            Span::styled(" SECRETS SHOWN ", theme::bad().add_modifier(reversed)),
        ));
        items.push((keep::ALWAYS, Span::raw(" ")));
    }
    if app.settings.read_only && app.replay.is_none() {
        items.push((
            keep::STATE,
            Span::styled(" READ-ONLY ", theme::warn().add_modifier(reversed)),
        ));
        items.push((keep::STATE, Span::raw(" ")));
    }
    if let Some((ctx, home)) = &app.cluster {
        // The namespace pods are watched in now, not the kubeconfig's.
        // The scope actually in force: namespace, then the selector or pod,
        // then why (widened to an alert pod's workload, or not yet).
        let scope = app.pod_scope();
        let ns = match scope.namespace.as_str() {
            "" => home.clone(),
            crate::domain::pod::ALL_NAMESPACES => "all namespaces".to_string(),
            _ => scope.namespace.clone(),
        };
        let mut text = format!("⎈ {}/{}", clean(ctx), clean(&ns));
        if let Some(narrower) = scope.selector.or(scope.name) {
            text.push_str(&format!(" · {}", clean(&narrower)));
        }
        items.push((keep::CLUSTER, Span::styled(text + " ", theme::dim())));
        if let Some(note) = app.scope_note() {
            let note = format!("({}) ", clean(&note));
            items.push((keep::SCOPE_NOTE, Span::styled(note, theme::dim())));
        }
    }
    // Sharing through the cluster, when asked for (`--share`).
    if let Some(s) = &app.share {
        use crate::share::sync::ShareStatus;
        let style = match s {
            ShareStatus::Live => theme::ok(),
            ShareStatus::Offline { .. } | ShareStatus::Partial { .. } => theme::warn(),
            ShareStatus::Forbidden(_) => theme::bad(),
            ShareStatus::Following | ShareStatus::Merged { .. } => theme::dim(),
        };
        // Trouble is kept on a narrow line before the id's full length.
        let keep = match s {
            ShareStatus::Offline { .. }
            | ShareStatus::Forbidden(_)
            | ShareStatus::Partial { .. } => keep::STATE,
            _ => keep::SOURCE,
        };
        items.push((keep, Span::styled(format!("{} ", s.text()), style)));
    }
    // Source health at a glance: the worst of the sources.
    let statuses: Vec<_> = [&app.alerts.status, &app.pods.status, &app.metric.status]
        .into_iter()
        .filter(|s| s.off.is_none())
        .collect();
    let badge = statuses
        .iter()
        .find(|s| s.error.is_some())
        .or_else(|| statuses.iter().find(|s| s.last_ok.is_some()))
        .map(|s| super::source_badge(s, app));
    if let Some(b) = badge {
        // The dot says it in colour; the words go first when room is short.
        items.push((keep::STATE, Span::raw("│ ")));
        items.push((keep::STATE, Span::styled("● ", b.style)));
        items.push((
            keep::SOURCE,
            Span::styled(format!("{} ", b.content), b.style),
        ));
    }
    let width = area.width as usize;
    fit_items(&mut items, id_item, width);
    let mut left: Vec<Span<'static>> = items.into_iter().map(|(_, s)| s).collect();
    let left_w: usize = left.iter().map(|s| s.content.width()).sum();
    let mut hints = String::new();
    let replaying = [
        ("Space", "pause"),
        ("+/-", "speed"),
        ("]/[", "jump"),
        ("q", "quit"),
    ];
    let shown: Vec<(String, &str)> = if app.replay.is_some() {
        replaying.iter().map(|(k, w)| (k.to_string(), *w)).collect()
    } else {
        keys::hints(app.focus)
    };
    for (key, what) in shown {
        let piece = format!(" {key} {what} ·");
        if left_w + hints.width() + piece.width() + 1 > width {
            break;
        }
        hints.push_str(&piece);
    }
    let hints = hints.trim_end_matches('·').trim_end().to_string();
    let pad = width.saturating_sub(left_w + hints.width());
    left.push(Span::raw(" ".repeat(pad)));
    left.push(Span::styled(hints, theme::dim()));
    put_line(Line::from(left), area, 0, buf);
}

/// Drops the least important items until the line fits `width`; if only
/// the ones that are always shown are left and it still does not fit, the
/// incident id is shortened (it is the longest).
fn fit_items(items: &mut Vec<(u8, Span<'static>)>, id_item: Option<usize>, width: usize) {
    let used = |items: &[(u8, Span<'static>)]| -> usize {
        items.iter().map(|(_, s)| s.content.width()).sum()
    };
    let mut id_at = id_item;
    while used(items) > width {
        let Some((worst, _)) = items
            .iter()
            .enumerate()
            .filter(|(_, (k, _))| *k > keep::ID)
            .max_by_key(|(i, (k, _))| (*k, *i))
        else {
            break;
        };
        items.remove(worst);
        if let Some(i) = id_at.as_mut()
            && worst < *i
        {
            *i -= 1;
        }
    }
    let over = used(items).saturating_sub(width);
    if over > 0
        && let Some(i) = id_at
        && let Some((_, span)) = items.get_mut(i)
    {
        let w = span.content.width();
        let room = w.saturating_sub(over).max(4);
        let short = format!("{} ", clip(span.content.trim(), room.saturating_sub(2)));
        span.content = format!(" {}", short.trim_start()).into();
    }
    if used(items) > width {
        items.retain(|(k, _)| *k < keep::ID);
    }
}

pub fn message_line(app: &App, mode: &Mode, area: Rect, buf: &mut Buffer) {
    let line = match mode {
        Mode::CommandLine(d) => Some((":", &d.editor)),
        Mode::Filter(d) => Some(("/", &d.editor)),
        _ => None,
    };
    if let Mode::CommandLine(d) = mode
        && let Some(t) = &d.tabbing
        && area.y > 0
    {
        // Like a shell's completion list, the candidates take the row just
        // above the line being typed.
        let row = Rect {
            y: area.y - 1,
            ..area
        };
        ratatui::widgets::Clear.render(row, buf);
        buf.set_style(row, theme::status_bar());
        put_line(candidates(t, row.width as usize), row, 0, buf);
    }
    if let Some((prompt, ta)) = line {
        put_line(Line::styled(prompt, theme::title(true)), area, 0, buf);
        let rest = Rect {
            x: area.x + 1,
            width: area.width.saturating_sub(1),
            ..area
        };
        ta.render(rest, buf);
        return;
    }
    // Information fades after a few seconds; errors stay until replaced.
    if let Some(f) = app
        .flash
        .as_ref()
        .filter(|f| f.error || app.now.duration_since(f.at).as_secs() < 8)
    {
        let text = clip(&clean(&f.text), area.width as usize);
        let style = if f.error {
            theme::error_line()
        } else {
            theme::ok()
        };
        put_line(Line::styled(text, style), area, 0, buf);
    }
}

/// The completion candidates in one row of `width`: as many as fit, the
/// chosen one highlighted and always in view, with how many more there are
/// on either side.
fn candidates(t: &Tabbing, width: usize) -> Line<'static> {
    if t.candidates.is_empty() {
        return Line::styled(" nothing to complete here", theme::dim());
    }
    let (first, last) = menu_window(&t.candidates, t.chosen, width);
    let mut spans = vec![Span::raw(" ")];
    if first > 0 {
        spans.push(Span::styled(format!("… {first} more  "), theme::dim()));
    }
    for (i, c) in t.candidates.iter().enumerate().take(last).skip(first) {
        let text = clip(&clean(c), width.saturating_sub(MORE_ROOM));
        let style = if t.chosen == Some(i) {
            theme::selected()
        } else {
            Style::new()
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw("  "));
    }
    let after = t.candidates.len() - last;
    if after > 0 {
        spans.push(Span::styled(format!("… {after} more"), theme::dim()));
    }
    Line::from(spans)
}

/// Room kept for "… 123 more" at each end of the candidates row.
const MORE_ROOM: usize = 12;

/// The candidates `first..last` shown in `width`: all when they fit, else
/// pages of whole candidates, the page with the chosen one (the first page
/// before any is chosen).
fn menu_window(candidates: &[String], chosen: Option<usize>, width: usize) -> (usize, usize) {
    let widths: Vec<usize> = candidates
        .iter()
        .map(|c| clean(c).width().min(width.saturating_sub(MORE_ROOM)) + 2)
        .collect();
    // One column is the row's leading space.
    if widths.iter().sum::<usize>() < width {
        return (0, candidates.len());
    }
    let wanted = chosen.unwrap_or(0);
    let mut first = 0;
    loop {
        let before = if first > 0 { MORE_ROOM } else { 0 };
        let room = width.saturating_sub(1 + before + MORE_ROOM).max(1);
        let mut used = 0;
        let mut last = first;
        while let Some(w) = widths.get(last) {
            if used + w > room && last > first {
                break;
            }
            used += w;
            last += 1;
        }
        if wanted < last || last >= candidates.len() {
            return (first, last);
        }
        first = last;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chosen_candidate_stays_in_view() {
        let names: Vec<String> = (0..30).map(|i| format!("runbook-{i:02}")).collect();
        let (a, b) = menu_window(&names, None, 80);
        assert_eq!(a, 0);
        assert!(b > 2 && b < 30, "{b}");
        let (c, d) = menu_window(&names, Some(b), 80);
        assert_eq!(c, b);
        assert!(d > c);
        assert_eq!(menu_window(&names, Some(29), 80).1, 30);
        assert_eq!(menu_window(&names[..3], None, 200), (0, 3));
        // One too wide for the row still shows, alone.
        let wide = vec!["x".repeat(300)];
        assert_eq!(menu_window(&wide, Some(0), 80), (0, 1));
        assert_eq!(menu_window(&names, Some(5), 0).0, 5);
    }
}
