//! Incident command overlays: the Incident panel (`i`), the status updates
//! list, the status update editor, the action item form, and the resolve
//! confirmation; plus the clock shown in the status line.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::overlay::{boxed, centered};
use super::text::{clean, clip, masked};
use super::theme;
use crate::app::keys;
use crate::app::modal::{ACTION_FIELDS, ActionDraft, UpdateDraft};
use crate::app::state::App;
use crate::domain::incident::Role;
use crate::domain::policy::{Clock, ClockKind, ClockState};
use crate::domain::time::{hms, utc_clock, utc_datetime};

/// Style of a clock by how close it is.
pub fn clock_style(c: &Clock) -> Style {
    match c.state {
        ClockState::Ok => theme::ok(),
        ClockState::Near => theme::warn(),
        ClockState::Missed => theme::bad(),
    }
}

/// `12:04 left` or `MISSED 3:10 ago` (hours shown only when needed).
pub fn clock_text(c: &Clock, app: &App) -> String {
    let left = c.left(app.now);
    let compact = |d: jiff::SignedDuration| {
        let s = d.as_secs();
        if s < 3600 {
            format!("{}:{:02}", s / 60, s % 60)
        } else {
            hms(d)
        }
    };
    if left.is_negative() {
        format!("MISSED {} ago", compact(-left))
    } else {
        format!("{} left", compact(left))
    }
}

/// A few words for the status line.
pub fn clock_short(kind: ClockKind) -> &'static str {
    match kind {
        ClockKind::Acknowledge => "ack",
        ClockKind::Escalate => "escalate",
        ClockKind::Mitigate => "mitigate",
        ClockKind::Update => "update",
    }
}

/// Where the Incident panel goes on a screen of `area`, and its lines
/// wrapped to fit.
fn panel_box(app: &App, area: Rect) -> (Rect, Vec<Line<'static>>) {
    let width = 90.min(area.width.saturating_sub(2)).saturating_sub(2);
    let lines = super::text::wrap_lines(panel_lines(app), width as usize);
    (centered(area, 90, lines.len() as u16 + 2), lines)
}

/// How far the Incident panel can scroll on a screen of `area`.
pub fn panel_max(app: &App, area: Rect) -> usize {
    let (r, lines) = panel_box(app, area);
    lines
        .len()
        .saturating_sub(r.height.saturating_sub(2) as usize)
}

pub fn panel(app: &App, top: usize, title: &str, area: Rect, buf: &mut Buffer) {
    let (r, lines) = panel_box(app, area);
    if lines.is_empty() {
        return;
    }
    let inner = boxed(title, r, buf);
    let max = lines.len().saturating_sub(inner.height as usize);
    Paragraph::new(lines)
        .scroll((top.min(max) as u16, 0))
        .render(inner, buf);
}

/// The Incident panel's rows; as many as `app::modal::incident_panel::rows`
/// counts (a test holds the two together).
fn panel_lines(app: &App) -> Vec<Line<'static>> {
    let Some(inc) = app.incident_state() else {
        return Vec::new();
    };
    let mut lines: Vec<Line<'static>> = super::exercise::panel(app);
    let end = inc.resolved.as_ref().map_or(app.now, |r| r.at);
    lines.push(Line::from(vec![
        Span::styled(
            format!(" {} ", inc.severity),
            theme::incident_severity(inc.severity),
        ),
        Span::raw(format!(
            " {} · {} · T+{}",
            clean(&inc.title),
            inc.status,
            hms(end.duration_since(inc.declared.at))
        )),
    ]));
    let declared = if inc.exercise.is_some() {
        format!(
            "started {} UTC by {} (an exercise: never paged)",
            utc_datetime(inc.declared.at),
            clean(&inc.declared.by)
        )
    } else if inc.alert.is_manual() {
        format!(
            "declared by hand (no alert) {} UTC by {}",
            utc_datetime(inc.declared.at),
            clean(&inc.declared.by)
        )
    } else {
        format!(
            "detected {} · declared {} UTC by {} · time to detect {}",
            utc_clock(inc.alert.starts_at),
            utc_datetime(inc.declared.at),
            clean(&inc.declared.by),
            hms(inc.time_to_declare())
        )
    };
    lines.push(Line::styled(declared, theme::dim()));
    lines.push(Line::styled("Clocks", theme::heading()));
    let clocks = app.clocks();
    if clocks.is_empty() {
        lines.push(Line::styled("  none running", theme::dim()));
    }
    for c in &clocks {
        let mut label = c.kind.label().to_string();
        if c.kind == ClockKind::Escalate {
            label = format!(
                "escalate to {}",
                app.settings
                    .oncall
                    .secondary
                    .as_deref()
                    .unwrap_or("(no secondary set)")
            );
        }
        lines.push(Line::from(vec![
            Span::raw(format!("  {label:<28} {} UTC  ", utc_clock(c.due))),
            Span::styled(clock_text(c, app), clock_style(c)),
        ]));
    }
    lines.push(Line::styled("Roles", theme::heading()));
    for role in Role::ALL {
        let who = inc.roles.get(&role).map_or(
            "—  (:role {} NAME)".replace("{}", role.as_str()),
            |(n, _)| clean(n).into_owned(),
        );
        lines.push(Line::raw(format!("  {:<20} {who}", role.title())));
    }
    let oc = &app.settings.oncall;
    lines.push(Line::styled(
        format!(
            "  on call: primary {} · secondary {}",
            oc.primary.as_deref().unwrap_or("not set"),
            oc.secondary.as_deref().unwrap_or("not set")
        ),
        theme::dim(),
    ));
    lines.push(Line::styled(
        format!("Action items ({})", inc.actions.len()),
        theme::heading(),
    ));
    if inc.actions.is_empty() {
        lines.push(Line::styled(
            format!(
                "  none yet ({} adds one)",
                keys::global_key(keys::Action::AddAction)
            ),
            theme::dim(),
        ));
    }
    for a in &inc.actions {
        let owner = a
            .owner
            .as_deref()
            .map_or("NO OWNER".to_string(), |o| clean(o).into_owned());
        let due = a.due.map_or("NO DUE DATE".to_string(), |d| d.to_string());
        let style = if a.owner.is_none() || a.due.is_none() {
            theme::warn()
        } else {
            Style::new()
        };
        lines.push(Line::styled(
            format!(
                "  • {} — {owner}, {due}{}",
                clean(&masked(&a.text, app.reveal)),
                a.ticket
                    .as_deref()
                    .map(|t| format!(", {}", clean(t)))
                    .unwrap_or_default()
            ),
            style,
        ));
    }
    lines.push(Line::styled(
        format!("Status updates ({})", inc.updates.len()),
        theme::heading(),
    ));
    match inc.updates.last() {
        Some(u) => lines.push(Line::raw(format!(
            "  last: {} UTC by {} ({})",
            utc_clock(u.mark.at),
            clean(&u.mark.by),
            u.audience.as_str()
        ))),
        None => lines.push(Line::styled(
            format!(
                "  none yet ({} writes one)",
                keys::global_key(keys::Action::StatusUpdate)
            ),
            theme::dim(),
        )),
    }
    lines
}

pub fn updates(app: &App, top: usize, title: &str, area: Rect, buf: &mut Buffer) {
    if app.incident_state().is_none() {
        return;
    }
    let (r, lines) = updates_box(app, area);
    let inner = boxed(title, r, buf);
    let max = lines.len().saturating_sub(inner.height as usize);
    Paragraph::new(lines)
        .scroll((top.min(max) as u16, 0))
        .render(inner, buf);
}

/// Where the status updates list goes, and its lines wrapped to fit.
fn updates_box(app: &App, area: Rect) -> (Rect, Vec<Line<'static>>) {
    let r = centered(area, 96, area.height.saturating_sub(4));
    let width = r.width.saturating_sub(2) as usize;
    (r, super::text::wrap_lines(update_lines(app), width))
}

/// How far the status updates list can scroll on a screen of `area`.
pub fn updates_max(app: &App, area: Rect) -> usize {
    let (r, lines) = updates_box(app, area);
    lines
        .len()
        .saturating_sub(r.height.saturating_sub(2) as usize)
}

/// The status updates list's rows; as many as
/// `app::modal::updates::rows` counts.
fn update_lines(app: &App) -> Vec<Line<'static>> {
    let Some(inc) = app.incident_state() else {
        return Vec::new();
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    if inc.updates.is_empty() {
        lines.push(Line::styled(
            format!(
                "No status updates yet: {} writes one.",
                keys::global_key(keys::Action::StatusUpdate)
            ),
            theme::dim(),
        ));
    }
    for u in &inc.updates {
        lines.push(Line::styled(
            format!(
                "{} UTC · {} · {}",
                utc_datetime(u.mark.at),
                u.audience.as_str(),
                clean(&u.mark.by)
            ),
            theme::heading(),
        ));
        for l in masked(&u.text, app.reveal).lines() {
            lines.push(Line::raw(format!("  {}", clean(l))));
        }
    }
    lines
}

pub fn editor(d: &UpdateDraft, hints: &str, area: Rect, buf: &mut Buffer) {
    let r = centered(area, 96, area.height.saturating_sub(4).max(8));
    let title = if d.confirm_discard {
        format!(" Discard this status update? {hints} ")
    } else {
        format!(" Status update ({}) — {hints} ", d.audience.as_str())
    };
    let inner = boxed(&title, r, buf);
    d.editor.render(inner, buf);
}

pub fn action_form(d: &ActionDraft, title: &str, area: Rect, buf: &mut Buffer) {
    let r = centered(area, 72, 8);
    let inner = boxed(title, r, buf);
    for (i, (label, field)) in ACTION_FIELDS.iter().zip(&d.fields).enumerate() {
        let row = Rect {
            y: inner.y + i as u16,
            height: 1,
            ..inner
        };
        if row.y >= inner.y + inner.height {
            break;
        }
        let style = if i == d.focus {
            theme::title(true)
        } else {
            theme::dim()
        };
        Line::styled(format!("{label:>17} "), style).render(row, buf);
        let input = Rect {
            x: row.x + 18,
            width: row.width.saturating_sub(18),
            ..row
        };
        let text = field.lines().join(" ");
        let shown = if i == d.focus {
            format!("{text}▏")
        } else {
            text
        };
        Line::raw(clip(&clean(&shown), input.width as usize)).render(input, buf);
    }
    if let Some(e) = &d.error {
        let row = Rect {
            y: inner.y + 5,
            height: 1,
            ..inner
        };
        if row.y < inner.y + inner.height {
            Line::styled(clip(&clean(e), row.width as usize), theme::bad()).render(row, buf);
        }
    }
}

pub fn confirm_resolve(app: &App, hints: &str, area: Rect, buf: &mut Buffer) {
    let id = super::overlay::open_id(app);
    let mut lines = vec![Line::raw(format!(
        "Resolve incident {id}? Its clocks stop."
    ))];
    lines.extend(standing(app, true));
    lines.push(Line::styled(hints.to_string(), theme::warn()));
    let h = lines.len() as u16 + 2;
    super::overlay::dialog(area, buf, (70, h), " Resolve? ", lines);
}

/// `m` asks first: marking mitigated is a claim about the customers.
pub fn confirm_mitigate(app: &App, hints: &str, area: Rect, buf: &mut Buffer) {
    let id = super::overlay::open_id(app);
    let mut lines = vec![Line::raw(format!(
        "Record that the impact of {id} has stopped (mitigated)?"
    ))];
    lines.extend(standing(app, false));
    lines.push(Line::styled(hints.to_string(), theme::warn()));
    let h = lines.len() as u16 + 2;
    super::overlay::dialog(area, buf, (70, h), " Mitigated? ", lines);
}

/// "bob ticked this — untick?": another responder's record is not taken
/// back silently.
pub fn confirm_untick(
    ask: &crate::app::next::UntickAsk,
    hints: &str,
    area: Rect,
    buf: &mut Buffer,
) {
    let when = utc_clock(ask.when);
    let lines = vec![
        Line::raw(format!(
            "{} ticked this at {when}. Untick it?",
            clean(&ask.by)
        )),
        Line::styled(clip(&clean(&ask.label), 66), theme::dim()),
        Line::styled(hints.to_string(), theme::warn()),
    ];
    super::overlay::dialog(area, buf, (70, 5), " Untick? ", lines);
}

/// What still stands against closing: the incident's alerts still firing
/// and, when resolving, the runbook steps not done.
fn standing(app: &App, steps: bool) -> Vec<Line<'static>> {
    let Some(inc) = app.incident_state() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let name = |fp: &str| {
        app.alerts
            .items()
            .iter()
            .find(|a| a.fingerprint == fp)
            .map_or_else(|| inc.alert.name.clone(), |a| a.name().to_string())
    };
    let firing: Vec<String> = inc
        .alerts
        .iter()
        .filter(|(_, s)| **s == crate::domain::alert::AlertState::Firing)
        .map(|(fp, _)| clean(&name(fp)).into_owned())
        .collect();
    if !firing.is_empty() {
        out.push(Line::styled(
            format!("Still firing: {}", firing.join(", ")),
            theme::bad(),
        ));
    }
    if steps {
        let (mut open, mut total) = (0, 0);
        for rb in &inc.attached {
            for st in &rb.steps {
                total += 1;
                if inc.step_done(&rb.id, st).is_none() {
                    open += 1;
                }
            }
        }
        if open > 0 {
            out.push(Line::styled(
                format!("{open} of {total} runbook steps are not done."),
                theme::warn(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::state::OpenIncident;
    use crate::domain::incident::tests::{at, declared, ev};
    use crate::domain::incident::{Audience, EventKind};

    /// The reducer bounds scrolling by counting rows; it must count what is
    /// drawn.
    #[test]
    fn overlay_rows_are_counted_as_drawn() {
        let mut app = App::new(
            "a".into(),
            Default::default(),
            Default::default(),
            at("03:10:00"),
        );
        let mut open = OpenIncident::new("2026-11-21-catalog-p99-latency".into());
        let mut events = vec![ev("03:00:00", "a", declared())];
        for (i, text) in ["one", "two\nlines", "three\nmore\nlines"]
            .iter()
            .enumerate()
        {
            events.push(ev(
                "03:01:00",
                "a",
                EventKind::StatusUpdate {
                    audience: Audience::Internal,
                    text: (*text).into(),
                },
            ));
            events.push(ev(
                "03:02:00",
                "a",
                EventKind::ActionItem {
                    text: format!("item {i}"),
                    owner: None,
                    due: None,
                    ticket: None,
                },
            ));
        }
        open.take_in(events);
        open.state = crate::domain::incident::Incident::fold(&open.events).ok();
        app.incident = Some(open);
        assert_eq!(
            panel_lines(&app).len(),
            crate::app::modal::incident_panel::rows(&app)
        );
        assert_eq!(
            update_lines(&app).len(),
            crate::app::modal::updates::rows(&app)
        );
    }
}
