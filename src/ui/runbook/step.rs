//! One step of the Runbook pane: its checkbox, text, details, commands and
//! queries as they will run, and what is known about it (contract, gate,
//! verify state, latest run, branches).

use std::collections::BTreeMap;

use ratatui::style::Style;
use ratatui::text::Line;

use super::super::text::{clean, scrolled, wrap};
use super::super::theme;
use crate::app::keys;
use crate::app::state::{App, Pane};
use crate::domain::incident::{Incident, StepAt, StepName};
use crate::domain::placeholder::{Piece, Seg, Use, fill, segments};
use crate::domain::runbook::{Runbook, Step};
use crate::domain::time::{short_duration, utc_clock};

/// A command as the run dialog will run it — values filled and quoted for
/// the shell — in styled pieces, one list per line.
pub(super) fn command_lines(
    app: &App,
    command: &str,
    labels: &BTreeMap<String, String>,
) -> Vec<Vec<(String, Style)>> {
    let filled = fill(
        command,
        labels,
        Use::Shell {
            env: &|n| app.shell_has(n),
        },
    );
    let mut lines = vec![Vec::new()];
    for piece in filled.pieces {
        let (text, style) = match piece {
            Piece::Text(t) => (t, theme::command()),
            Piece::Filled(v) => (v, theme::filled()),
            Piece::Missing(m) => (m, theme::missing()),
        };
        for (i, part) in text.split('\n').enumerate() {
            if i > 0 {
                lines.push(Vec::new());
            }
            if !part.is_empty()
                && let Some(line) = lines.last_mut()
            {
                line.push((clean(part).into_owned(), style));
            }
        }
    }
    lines
}

/// Styled pieces for runbook text: code spans (between backticks) look like
/// commands, placeholders are filled or flagged.
pub(super) fn pieces(
    text: &str,
    labels: &BTreeMap<String, String>,
    base: Style,
) -> Vec<(String, Style)> {
    pieces_without(text, labels, base, &[])
}

/// Like [`pieces`], leaving out code spans listed in `lifted` (commands shown on
/// their own `$` lines below the step).
pub(super) fn pieces_without(
    text: &str,
    labels: &BTreeMap<String, String>,
    base: Style,
    lifted: &[String],
) -> Vec<(String, Style)> {
    let mut out = Vec::new();
    let parts: Vec<&str> = text.split('`').collect();
    let n = parts.len();
    let last_text = parts
        .iter()
        .rposition(|p| !p.trim().is_empty())
        .unwrap_or(0);
    for (i, part) in parts.iter().enumerate() {
        let code = i % 2 == 1 && i + 1 < n;
        if code && lifted.iter().any(|c| c == part.trim()) {
            // Mid-sentence, an arrow points at the `$` line below.
            if i < last_text {
                out.push(("↓".to_string(), theme::command()));
            }
            continue;
        }
        let style = if code { theme::command() } else { base };
        for seg in segments(part, labels) {
            let (t, s) = match seg {
                Seg::Text(t) => (t.to_string(), style),
                Seg::Filled(v) => (v, theme::filled()),
                Seg::Missing(m) => (m.to_string(), theme::missing()),
            };
            out.push((clean(&t).into_owned(), s));
        }
    }
    out
}

/// What the pane shows about a step beyond its text: contract facts, gate,
/// verify state, the latest run, branches.
pub(super) fn step_facts(
    app: &App,
    rb: &Runbook,
    st: &Step,
    labels: &BTreeMap<String, String>,
    inc: Option<&Incident>,
    width: usize,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut push = |p: Vec<(String, Style)>| lines.extend(wrap(p, width, 9));
    if let Some((line, msg)) = &st.contract_error {
        push(vec![(
            format!(
                "       ⚠ contract (line {line}) unreadable, so the step is not run: {}",
                clean(msg)
            ),
            theme::bad(),
        )]);
    }
    let c = st.contract.as_ref();
    let mut facts: Vec<(String, Style)> = vec![("       ◆ ".into(), theme::dim())];
    let mut any = false;
    if let Some(o) = c.and_then(|c| c.owner) {
        facts.push((format!("owner {} · ", o.as_str()), theme::heading()));
        any = true;
    }
    if !st.requires().is_empty() {
        facts.push(("needs ".into(), theme::dim()));
        for (i, r) in st.requires().iter().enumerate() {
            let done = inc.is_some_and(|i| match rb.step(r) {
                Some((_, required)) => i.step_done(&rb.id, required).is_some(),
                None => i.step_done(&rb.id, StepName { id: r, key: None }).is_some(),
            });
            let sep = if i + 1 < st.requires().len() {
                ", "
            } else {
                " · "
            };
            facts.push((
                format!("{}{}{sep}", clean(r), if done { " ✔" } else { " ✗" }),
                if done { theme::done() } else { theme::warn() },
            ));
        }
        if inc.is_some_and(|i| i.step_overridden(&rb.id, st).is_some()) {
            facts.push(("gate overridden · ".into(), theme::warn()));
        }
        any = true;
    }
    if st.is_dangerous() {
        facts.push((
            "DANGER · ".into(),
            theme::bad().add_modifier(ratatui::style::Modifier::BOLD),
        ));
        any = true;
    }
    // Without a contract the `$` colour says it changes things; a line of its
    // own is kept for contracts and read-only sessions.
    if st.is_mutating() && !st.commands.is_empty() && (any || app.settings.read_only) {
        facts.push((
            if app.settings.read_only {
                "changes things (read-only: refused)"
            } else {
                "changes things"
            }
            .into(),
            theme::warn(),
        ));
        any = true;
    }
    if any {
        if let Some(last) = facts.last_mut() {
            last.0 = last.0.trim_end_matches([' ', '·']).to_string();
        }
        push(facts);
    }
    if let Some((m, how)) = inc.and_then(|i| i.step_verified(&rb.id, st)) {
        push(vec![(
            format!(
                "       ✔ verified {} {}: {}",
                utc_clock(m.at),
                clean(&m.by),
                clean(how)
            ),
            theme::done(),
        )]);
    } else {
        if let Some(v) = c.and_then(|c| c.verify.as_ref()) {
            let mut p = vec![("       ✓ verify (v): ".to_string(), theme::dim())];
            p.extend(
                command_lines(app, v, labels)
                    .into_iter()
                    .next()
                    .unwrap_or_default(),
            );
            push(p);
        }
        if let Some(q) = c.and_then(|c| c.verify_query.as_ref()) {
            let state = match (app.runbook.checks.get(&StepAt::of(&rb.id, st)), inc) {
                (_, None) => (
                    "checked once the incident is declared".to_string(),
                    theme::dim(),
                ),
                (_, Some(_)) if app.metric.status.off.is_some() => {
                    ("not checked: no Prometheus".to_string(), theme::dim())
                }
                (Some(ch), _) => match &ch.result {
                    None => ("asking…".to_string(), theme::dim()),
                    Some(Ok(0)) => ("not met yet".to_string(), theme::warn()),
                    Some(Ok(n)) => (format!("met ({n} series)"), theme::done()),
                    Some(Err(e)) => (format!("error: {}", clean(e)), theme::bad()),
                },
                (None, Some(_)) => ("waiting".to_string(), theme::dim()),
            };
            let mut p = vec![("       ✓ verify query: ".to_string(), theme::dim())];
            p.extend(pieces(q, labels, theme::command()));
            p.push((format!(" — {}", state.0), state.1));
            push(p);
        }
    }
    let live = app
        .runs
        .latest
        .as_ref()
        .filter(|r| r.at == StepAt::of(&rb.id, st) && r.outcome.is_none());
    if let Some(r) = live {
        let secs = app.now.duration_since(r.started).as_secs().max(0) as u64;
        push(vec![(
            format!(
                "       ⟳ running {} ({} shows the output, {} stops it)",
                short_duration(std::time::Duration::from_secs(secs)),
                keys::pane_key(Pane::Runbook, keys::Action::ShowOutput),
                keys::key(keys::Scope::Always, keys::Action::Interrupt)
            ),
            theme::warn(),
        )]);
    } else if let Some(run) = inc.and_then(|i| i.step_run(&rb.id, st)) {
        let who = format!("{} {}", utc_clock(run.mark.at), clean(&run.mark.by));
        let what = match run.purpose {
            crate::domain::incident::Purpose::Run => "",
            crate::domain::incident::Purpose::Verify => "verify: ",
            crate::domain::incident::Purpose::Rollback => "rollback: ",
            crate::domain::incident::Purpose::Query => "query: ",
        };
        let (text, style) = match &run.outcome {
            None => (
                format!("       ⟳ {what}{who} started it, still running"),
                theme::warn(),
            ),
            Some(o) if o.is_success() => (
                format!(
                    "       $ {what}{} in {} · {who}",
                    o.describe(),
                    short_duration(std::time::Duration::from_millis(run.duration_ms))
                ),
                theme::done(),
            ),
            Some(o) => {
                let undo = if c.is_some_and(|c| c.rollback.is_some()) {
                    " · b rolls back"
                } else {
                    ""
                };
                (
                    format!(
                        "       ✗ {what}{} after {} · {who}{undo}",
                        o.describe(),
                        short_duration(std::time::Duration::from_millis(run.duration_ms))
                    ),
                    theme::bad(),
                )
            }
        };
        push(vec![(text, style)]);
        // What ran was not the runbook's command: say so, and show it.
        if run.original.is_some() {
            push(vec![
                (
                    "         edited before running; ran: ".to_string(),
                    theme::warn(),
                ),
                (
                    clean(&crate::domain::redact::mask(&run.command, app.reveal)).into_owned(),
                    theme::command(),
                ),
            ]);
        }
    }
    if let Some(rb_cmd) = c.and_then(|c| c.rollback.as_ref()) {
        let mut p = vec![(
            format!(
                "       ↶ rollback ({}): ",
                keys::pane_key(Pane::Runbook, keys::Action::RollbackStep)
            ),
            theme::dim(),
        )];
        p.extend(
            command_lines(app, rb_cmd, labels)
                .into_iter()
                .next()
                .unwrap_or_default(),
        );
        push(p);
    }
    for b in &st.branches {
        let (text, style) = match rb.branch_target(st, &b.target) {
            Some(t) => (
                format!(
                    "       ↪ {} → step {} ({})",
                    clean(&b.label),
                    clean(&t.id),
                    keys::pane_key(Pane::Runbook, keys::Action::FollowBranch)
                ),
                theme::heading(),
            ),
            None => (
                format!("       ↪ {} → no such step", clean(&b.label)),
                theme::bad(),
            ),
        };
        push(vec![(text, style)]);
    }
    lines
}

/// Code as written, placeholders filled or flagged.
pub(super) fn code_pieces(
    text: &str,
    labels: &BTreeMap<String, String>,
    style: Style,
) -> Vec<(String, Style)> {
    segments(text, labels)
        .into_iter()
        .map(|seg| match seg {
            Seg::Text(t) => (clean(t).into_owned(), style),
            Seg::Filled(v) => (clean(&v).into_owned(), theme::filled()),
            Seg::Missing(m) => (clean(m).into_owned(), theme::missing()),
        })
        .collect()
}

/// One step: its checkbox and number, text, details, commands and queries
/// as they will run, and what is known about it.
pub(super) fn step_lines(
    app: &App,
    rb: &Runbook,
    st: &Step,
    n: usize,
    labels: &BTreeMap<String, String>,
    inc: Option<&Incident>,
    width: usize,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mark = inc.and_then(|i| i.step_done(&rb.id, st));
    let mut p = vec![(
        format!("{} {n}. ", if mark.is_some() { "[x]" } else { "[ ]" }),
        if mark.is_some() {
            theme::done()
        } else {
            Style::new()
        },
    )];
    let mut text = pieces_without(&st.text, labels, Style::new(), &st.commands);
    if let Some(last) = text.last_mut() {
        last.0 = last.0.trim_end().to_string();
    }
    p.extend(text);
    if let Some(m) = mark {
        p.push((
            format!("  ✔ {} {}", utc_clock(m.at), clean(&m.by)),
            theme::done(),
        ));
    }
    lines.extend(wrap(p, width, 7));
    for d in &st.details {
        lines.extend(wrap(
            pieces(&format!("       {d}"), labels, theme::dim()),
            width,
            9,
        ));
    }
    let numbered = st.commands.len() + st.queries.len() > 1;
    let prefix_style = if st.is_mutating() {
        theme::warn()
    } else {
        theme::dim()
    };
    for (n, c) in st.commands.iter().enumerate() {
        for (k, cmd_line) in command_lines(app, c, labels).into_iter().enumerate() {
            let prefix = match (k, numbered) {
                (0, true) => format!("   {}$ ", n + 1),
                (0, false) => "     $ ".to_string(),
                _ => "       ".to_string(),
            };
            // One line, scrolled sideways, never broken inside a word.
            lines.push(scrolled(
                (prefix, prefix_style),
                cmd_line,
                width,
                app.runbook.hscroll,
            ));
        }
    }
    for (n, q) in st.queries.iter().enumerate() {
        let filled = fill(q, labels, Use::Query);
        for (k, l) in filled.text.lines().enumerate() {
            let prefix = match (k, numbered) {
                (0, true) => format!("   {}⌕ ", st.commands.len() + n + 1),
                (0, false) => "     ⌕ ".to_string(),
                _ => "       ".to_string(),
            };
            lines.push(scrolled(
                (prefix, theme::dim()),
                vec![(clean(l).into_owned(), theme::command())],
                width,
                app.runbook.hscroll,
            ));
        }
    }
    lines.extend(step_facts(app, rb, st, labels, inc, width));
    lines
}
