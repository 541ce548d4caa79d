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
use crate::app::state::App;
use crate::domain::time::hms;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, theme::status_bar());
    let mut left: Vec<Span<'static>> = Vec::new();
    match (app.incident.as_ref(), app.incident_state()) {
        (_, Some(inc)) => {
            left.push(Span::styled(
                format!(" {} ", inc.severity),
                theme::incident_severity(inc.severity),
            ));
            left.push(Span::styled(
                format!(" {} ", clean(&inc.id)),
                Style::new().add_modifier(ratatui::style::Modifier::BOLD),
            ));
            left.push(Span::raw(format!(
                "{} ",
                inc.status.to_string().to_uppercase()
            )));
            let end = inc.resolved.as_ref().map_or(app.now, |r| r.at);
            left.push(Span::raw(format!(
                "T+{} ",
                hms(end.duration_since(inc.declared.at))
            )));
            // The most urgent deadline, coloured by how close it is.
            if let Some(c) = app.clocks().first() {
                left.push(Span::styled(
                    format!(
                        "{} {} ",
                        super::incident::clock_short(c.kind),
                        super::incident::clock_text(c, app)
                    ),
                    super::incident::clock_style(c),
                ));
            }
            if let Some((ic, _)) = inc.roles.get(&crate::domain::incident::Role::Ic)
                && area.width >= super::WIDE.0
            {
                left.push(Span::raw(format!("IC {} ", clean(ic))));
            }
        }
        (Some(open), None) => left.push(Span::raw(format!(" loading {}… ", clean(&open.id)))),
        (None, None) => {
            left.push(Span::styled(" NO INCIDENT ", theme::dim()));
            left.push(Span::raw(format!(
                "{} alerts firing ",
                app.alerts.items().len()
            )));
        }
    }
    if let Some(p) = &app.watch.declaring {
        left.insert(
            0,
            Span::styled(
                format!(" DECLARING {} · Enter now · Esc cancels ", clean(&p.what)),
                theme::warn().add_modifier(ratatui::style::Modifier::REVERSED),
            ),
        );
    }
    if app.incident.as_ref().is_some_and(|i| i.gone) {
        // First, so no width can cut it: nothing typed now is kept.
        left.insert(
            0,
            Span::styled(
                " JOURNAL DELETED — NOT SAVING ",
                theme::bad().add_modifier(ratatui::style::Modifier::REVERSED),
            ),
        );
    }
    if app.reveal {
        left.push(Span::styled(
            " SECRETS SHOWN ",
            theme::bad().add_modifier(ratatui::style::Modifier::REVERSED),
        ));
        left.push(Span::raw(" "));
    }
    if app.settings.read_only {
        left.push(Span::styled(
            " READ-ONLY ",
            theme::warn().add_modifier(ratatui::style::Modifier::REVERSED),
        ));
        left.push(Span::raw(" "));
    }
    if let Some((ctx, ns)) = &app.cluster {
        left.push(Span::styled(
            format!("⎈ {}/{} ", clean(ctx), clean(ns)),
            theme::dim(),
        ));
    }
    // Source health at a glance: the worst of the sources.
    left.push(Span::raw("│ "));
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
        // On a narrow terminal the dot alone keeps room for the key hints.
        let text = if area.width >= super::WIDE.0 {
            format!("● {} ", b.content)
        } else {
            "● ".to_string()
        };
        left.push(Span::styled(text, b.style));
    }
    let left_w: usize = left.iter().map(|s| s.content.width()).sum();
    let mut hints = String::new();
    for (key, what) in keys::hints(app.focus) {
        let piece = format!(" {key} {what} ·");
        if left_w + hints.width() + piece.width() + 1 > area.width as usize {
            break;
        }
        hints.push_str(&piece);
    }
    let hints = hints.trim_end_matches('·').trim_end().to_string();
    let pad = (area.width as usize).saturating_sub(left_w + hints.width());
    left.push(Span::raw(" ".repeat(pad)));
    left.push(Span::styled(hints, theme::dim()));
    put_line(Line::from(left), area, 0, buf);
}

pub fn message_line(app: &App, mode: &Mode, area: Rect, buf: &mut Buffer) {
    let line = match mode {
        Mode::CommandLine(d) => Some((":", &d.editor)),
        Mode::Filter(d) => Some(("/", &d.editor)),
        _ => None,
    };
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
