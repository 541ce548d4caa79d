//! The postmortem's markdown sections, each built from the report.

use std::io::{self, Write};

use super::{Report, clean};
use crate::domain::incident::{Incident, Role};
use crate::domain::time::utc_datetime;

/// Markdown-safe on one line (table cells): no raw HTML from the record.
/// Inside a code span (a backtick run closed by one as long) the text is
/// kept as it is, since markdown shows entities there literally: a query's
/// `< 0.5` must not read `&lt; 0.5`. A backtick run never closed opens
/// nothing, so the text after it is escaped as everywhere else.
pub(super) fn cell(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let run = |at: usize| chars[at..].iter().take_while(|c| **c == '`').count();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '`' {
            let n = run(i);
            let mut j = i + n;
            let close = loop {
                match chars.get(j) {
                    None => break None,
                    Some('`') if run(j) == n => break Some(j),
                    Some('`') => j += run(j),
                    Some(_) => j += 1,
                }
            };
            match close {
                Some(j) => {
                    for c in &chars[i..j + n] {
                        match c {
                            '|' => out.push_str("\\|"),
                            '\n' => out.push(' '),
                            c => out.push(*c),
                        }
                    }
                    i = j + n;
                }
                None => {
                    out.extend(&chars[i..i + n]);
                    i += n;
                }
            }
            continue;
        }
        match chars[i] {
            '<' => out.push_str("&lt;"),
            '|' => out.push_str("\\|"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// Responders' text as prose in a list item or a quote: no raw HTML, and a
/// line that would start a heading, rule, list, quote, table or fence is
/// escaped, so a note cannot reshape the postmortem around it.
pub(super) fn prose_line(line: &str) -> String {
    let line = line.replace('<', "&lt;");
    let body = line.trim_start();
    let digits = body.chars().take_while(char::is_ascii_digit).count();
    let numbered = digits > 0 && body[digits..].starts_with(['.', ')']);
    let marker = body.starts_with(['#', '>', '-', '+', '*', '=', '_', '|', '`', '~']);
    if marker || numbered {
        let pad = &line[..line.len() - body.len()];
        format!("{pad}\\{body}")
    } else {
        line
    }
}

/// Inline code that survives backticks inside it (on one line).
pub(super) fn code(s: &str) -> String {
    let one = s.replace('\n', " ⏎ ");
    let longest = one.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if one.starts_with('`') || one.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{one}{pad}{fence}")
}

fn or_dash(s: &Option<String>) -> String {
    s.as_deref().map_or("—".to_string(), cell)
}

/// Writes the section `name` of the postmortem; false for a name that
/// is not one. The timeline and the notes, which grow with the incident,
/// are written row by row.
pub(super) fn section(
    name: &str,
    inc: &Incident,
    r: &Report,
    w: &mut impl Write,
) -> io::Result<bool> {
    let text = match name {
        "title" => cell(&r.title),
        "id" => cell(&r.id),
        "severity" => r.severity.clone(),
        "status" => r.status.clone(),
        "alert" => cell(&r.alert),
        "runbook" => r.runbook.as_deref().map_or("none matched".into(), cell),
        "roles" => Role::ALL
            .iter()
            .map(|role| {
                format!(
                    "{}: {}",
                    role.title(),
                    r.roles
                        .get(role.title())
                        .map_or("not assigned".to_string(), |n| cell(n))
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        "responders" => r
            .responders
            .iter()
            .map(|x| cell(x))
            .collect::<Vec<_>>()
            .join(", "),
        "summary" => summary(inc, r),
        "impact" => impact(inc),
        "durations" => durations(r),
        "targets" => targets(r),
        "timeline" => return timeline(r, w).map(|()| true),
        "steps" => steps(r),
        "commands" => commands(r),
        "updates" => updates(r),
        "notes" => return notes(r, w).map(|()| true),
        "action_items" => action_items(r),
        "exercise_label" => super::exercise_md::label(r.exercise.as_ref()),
        "kind_row" => super::exercise_md::kind_row(r.exercise.as_ref()),
        "exercise" => super::exercise_md::placed(r.exercise.as_ref()),
        "evidence" => super::evidence::section(r),
        _ => return Ok(false),
    };
    w.write_all(text.as_bytes())?;
    Ok(true)
}

/// A writer that remembers the last byte written, so the draft can be
/// made to end with a newline without holding it.
pub(super) struct LastByte<'w, W: Write> {
    inner: &'w mut W,
    last: Option<u8>,
}

impl<'w, W: Write> LastByte<'w, W> {
    pub(super) fn new(inner: &'w mut W) -> Self {
        LastByte { inner, last: None }
    }

    pub(super) fn last(&self) -> Option<u8> {
        self.last
    }
}

impl<W: Write> Write for LastByte<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if n > 0 {
            self.last = Some(buf[n - 1]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn summary(inc: &Incident, r: &Report) -> String {
    // An exercise is called what it is, even in the first sentence.
    let what = match r.exercise.as_ref().map(|x| x.kind.as_str()) {
        None => "incident",
        Some("drill") => "DR drill",
        Some(_) => "chaos game-day",
    };
    let mut s = if r.exercise.is_some() {
        format!(
            "A {what} was started at {} UTC by {}; it was not paged.",
            utc_datetime(inc.declared.at),
            cell(&clean(&inc.declared.by)),
        )
    } else if inc.alert.is_manual() {
        format!(
            "A {} {what} was declared by hand at {} UTC by {}; no alert fired for it.",
            inc.severity,
            utc_datetime(inc.declared.at),
            cell(&clean(&inc.declared.by)),
        )
    } else {
        format!(
            "Alert {} fired at {} UTC; a {} {what} was declared at {} UTC.",
            cell(&r.alert),
            utc_datetime(inc.alert.starts_at),
            inc.severity,
            utc_datetime(inc.declared.at),
        )
    };
    if let Some(m) = &inc.mitigated {
        s.push_str(&format!(" Mitigated at {} UTC.", utc_datetime(m.at)));
    }
    match &inc.resolved {
        Some(x) => s.push_str(&format!(" Resolved at {} UTC.", utc_datetime(x.at))),
        None => s.push_str(" Not resolved when this was exported."),
    }
    if !inc.alert.summary.is_empty() && r.exercise.is_none() {
        s.push_str(&format!(
            "\n\nAlert summary: {}",
            cell(&clean(&inc.alert.summary))
        ));
    }
    s
}

fn impact(inc: &Incident) -> String {
    if inc.alert.is_manual() {
        return "Declared by hand: no alert measured the impact; see the status updates and the timeline.".to_string();
    }
    let labels: Vec<String> = inc
        .alert
        .labels
        .iter()
        .map(|(k, v)| {
            format!(
                "`{}={}`",
                cell(&clean(k)),
                cell(&clean(v)).replace('`', "'")
            )
        })
        .collect();
    // The alert's own end, as its source reported it: not the incident's.
    let end = inc.alert_ended.map_or_else(
        || "and no end of it was recorded: as far as the record shows, it was still firing when this was exported".to_string(),
        |t| format!("until {} UTC", utc_datetime(t)),
    );
    format!(
        "The alert was active from {} UTC {end}. Alert labels: {}.",
        utc_datetime(inc.alert.starts_at),
        if labels.is_empty() {
            "none".into()
        } else {
            labels.join(", ")
        }
    )
}

fn durations(r: &Report) -> String {
    let t = |k: &str| r.times.get(k).cloned().flatten();
    let d = |k: &str| r.durations.get(k).cloned().flatten();
    let rows = [
        (
            "Detected (alert started)",
            t("detected").or_else(|| {
                (r.alert == super::MANUAL_ALERT).then(|| "no alert: declared by hand".into())
            }),
            None,
        ),
        (
            "Declared",
            t("declared"),
            d("time_to_declare").map(|x| format!("{x} after detection")),
        ),
        (
            "Acknowledged",
            t("acknowledged"),
            d("time_to_acknowledge").map(|x| {
                if r.ack_implied {
                    format!("time to acknowledge {x}, implied: nobody acknowledged, mitigating or resolving counted")
                } else {
                    format!("time to acknowledge {x}")
                }
            }),
        ),
        (
            "Mitigated",
            t("mitigated"),
            d("time_to_mitigate").map(|x| format!("time to mitigate {x}")),
        ),
        (
            "Resolved",
            t("resolved"),
            d("time_to_resolve").map(|x| format!("time to resolve {x}")),
        ),
    ];
    let mut s = String::from("| Milestone | When | Duration |\n|---|---|---|\n");
    for (name, at, dur) in rows {
        s.push_str(&format!(
            "| {name} | {} | {} |\n",
            at.unwrap_or_else(|| "not recorded".into()),
            dur.unwrap_or_default()
        ));
    }
    s.trim_end().to_string()
}

fn targets(r: &Report) -> String {
    if r.exercise.is_some() {
        return "None apply: an exercise is not paged, so the severity matrix's response targets \
                do not run (see the exercise's own targets above)."
            .into();
    }
    if r.targets.is_empty() {
        return format!("No response-time targets apply to {}.", r.severity);
    }
    let mut s = format!(
        "Targets for {} from the severity matrix.\n\n| Target | Within | Took | Met |\n|---|---|---|---|\n",
        r.severity
    );
    for t in &r.targets {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            t.target,
            t.within,
            t.actual.as_deref().unwrap_or("—"),
            t.verdict
        ));
    }
    s.trim_end().to_string()
}

fn timeline(r: &Report, w: &mut impl Write) -> io::Result<()> {
    w.write_all(b"| Time (UTC) | Who | Event |\n|---|---|---|")?;
    for e in r.timeline.iter() {
        write!(w, "\n| {} | {} | {} |", e.at, cell(e.by), cell(e.event))?;
    }
    Ok(())
}

fn commands(r: &Report) -> String {
    if r.commands.is_empty() {
        return "No runbook commands were run from the cockpit.".into();
    }
    let mut s = String::new();
    for c in &r.commands {
        s.push_str(&format!(
            "- {} — {} ({}) step {}: {} in {}\n\n",
            c.at,
            cell(&c.by),
            c.purpose,
            cell(&c.step),
            c.outcome,
            c.duration
        ));
        // A fence longer than any backtick run inside keeps the block closed.
        let longest = c
            .command
            .split(|ch| ch != '`')
            .chain(c.output.split(|ch| ch != '`'))
            .map(str::len)
            .max()
            .unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        s.push_str(&format!("  {fence}console\n"));
        for l in c.command.lines() {
            s.push_str(&format!("  $ {l}\n"));
        }
        match &c.kept_on {
            Some(host) => s.push_str(&format!(
                "  … its output ({} line{}) stays on host {host}: not shared\n",
                c.omitted,
                if c.omitted == 1 { "" } else { "s" }
            )),
            None if c.omitted > 0 => {
                s.push_str(&format!("  … {} earlier lines not recorded\n", c.omitted));
            }
            None => {}
        }
        for l in c.output.lines() {
            s.push_str(&format!("  {l}\n"));
        }
        s.push_str(&format!("  {fence}\n\n"));
    }
    s.trim_end().to_string()
}

fn steps(r: &Report) -> String {
    if r.steps.is_empty() {
        return "No runbook was open for this incident.".into();
    }
    // One part per runbook, in the order they were attached.
    let mut parts: Vec<(&str, Vec<&super::StepRow>)> = Vec::new();
    for st in &r.steps {
        match parts.last_mut() {
            Some((rb, rows)) if *rb == st.runbook => rows.push(st),
            _ => parts.push((&st.runbook, vec![st])),
        }
    }
    let mut s = String::new();
    for (rb, rows) in parts {
        let listed = rows.iter().filter(|st| st.listed).count();
        let done = rows
            .iter()
            .filter(|st| st.listed && st.state == "done")
            .count();
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(&format!(
            "Runbook {}: {done} of {listed} steps done.\n",
            cell(rb)
        ));
        let mut section = "";
        for st in rows.iter().filter(|st| st.listed) {
            if st.section != section {
                section = &st.section;
                s.push_str(&format!("\n### {}\n\n", cell(section)));
            }
            s.push_str(&step_line(st));
        }
        let gone: Vec<_> = rows.iter().filter(|st| !st.listed).collect();
        if !gone.is_empty() {
            s.push_str("\nAlso recorded as done, though the runbook as attached does not list these steps:\n\n");
            for st in gone {
                s.push_str(&step_line(st));
            }
        }
    }
    s.trim_end().to_string()
}

fn step_line(st: &super::StepRow) -> String {
    let who = match (&st.at, &st.by) {
        (Some(at), Some(by)) => format!(" ({at}, {})", cell(by)),
        _ => String::new(),
    };
    let mark = match st.state.as_str() {
        "done" => "- [x]".to_string(),
        "undone" => "- [ ] (ticked, then unticked)".to_string(),
        _ => "- [ ]".to_string(),
    };
    let named: Vec<String> = [&st.section, &st.id]
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(|s| cell(s))
        .collect();
    let mut line = if named.is_empty() {
        format!("{mark} {}{who}\n", cell(&st.text))
    } else {
        format!("{mark} {}: {}{who}\n", named.join(" — "), cell(&st.text))
    };
    // Every run, ticked or not, and what was edited before it ran.
    for r in &st.runs {
        let took = r
            .duration
            .as_deref()
            .map_or(String::new(), |d| format!(" in {d}"));
        line.push_str(&format!(
            "  - {} {} → {}{took} ({}, {})",
            r.purpose,
            code(&r.command),
            r.outcome,
            r.at,
            cell(&r.by)
        ));
        if let Some(o) = &r.original {
            line.push_str(&format!(
                "; edited before running, the runbook said {}",
                code(o)
            ));
        }
        line.push('\n');
    }
    line
}

fn updates(r: &Report) -> String {
    if r.updates.is_empty() {
        return "No status updates were recorded.".into();
    }
    r.updates
        .iter()
        .map(|u| {
            let body = u
                .text
                .lines()
                .map(|l| format!("> {}", prose_line(l)))
                .collect::<Vec<_>>()
                .join("\n");
            format!("**{} — {}, {}**\n\n{body}", u.at, u.audience, cell(&u.by))
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn notes(r: &Report, w: &mut impl Write) -> io::Result<()> {
    if r.notes.is_empty() {
        return w.write_all(b"No notes were taken.");
    }
    for (i, n) in r.notes.iter().enumerate() {
        let sep = if i == 0 { "" } else { "\n" };
        write!(
            w,
            "{sep}- {}, {}: {}",
            n.at,
            cell(&n.by),
            n.text
                .split('\n')
                .map(prose_line)
                .collect::<Vec<_>>()
                .join("\n  ")
        )?;
    }
    Ok(())
}

fn action_items(r: &Report) -> String {
    let mut s = String::new();
    if r.exercise.as_ref().is_some_and(|x| x.action_items_missing) {
        s.push_str("**Missing: an exercise must produce at least one action item — even a passing one.**\n\n");
    }
    s.push_str("| Action | Owner | Due | Ticket |\n|---|---|---|---|\n");
    if r.action_items.is_empty() {
        s.push_str("| _What will prevent a repeat or shorten the next one_ | | | |\n");
    }
    for a in &r.action_items {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(&a.text),
            a.owner.as_deref().map_or("**missing**".to_string(), cell),
            a.due.as_deref().map_or("**missing**".to_string(), cell),
            or_dash(&a.ticket)
        ));
    }
    let flagged = r
        .action_items
        .iter()
        .filter(|a| !a.missing.is_empty())
        .count();
    if flagged > 0 {
        s.push_str(&format!(
            "\n⚠ {flagged} action item(s) lack an owner or a due date; an action item without both tends not to happen."
        ));
    }
    s.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn code_spans_keep_their_text_and_the_rest_is_escaped() {
        assert_eq!(cell("`up < 0.5` <b>"), "`up < 0.5` &lt;b>");
        assert_eq!(cell("a | `x|y`"), "a \\| `x\\|y`");
        // Never closed, a backtick opens nothing.
        assert_eq!(cell("`<script>"), "`&lt;script>");
        // Closed only by a run as long: `` x ` <y> `` is one span.
        assert_eq!(cell("`` x ` <y> `` <z>"), "`` x ` <y> `` &lt;z>");
        assert_eq!(cell("line\nnext"), "line<br>next");
    }
}
