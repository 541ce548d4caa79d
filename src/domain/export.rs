//! Postmortem export: a pure function from journal events (and the severity
//! matrix) to a report, rendered as markdown through a template or as JSON, so
//! the same journal always yields the same bytes. Every text that came from a
//! responder or a source is sanitised and has its secrets redacted.

use std::collections::BTreeMap;

use serde::Serialize;

use super::incident::{Event, EventKind, FoldError, Incident, Mark, Role};
use super::policy::Matrix;
use super::redact::redact;
use super::time::{hms, utc_datetime};
use crate::sanitize;

/// The template shipped in assets/, used unless a team supplies its own.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../assets/postmortem.md");

/// Placeholders a template may use, each written `{{name}}`.
pub const PLACEHOLDERS: &[&str] = &[
    "title",
    "id",
    "severity",
    "status",
    "alert",
    "runbook",
    "roles",
    "responders",
    "summary",
    "impact",
    "durations",
    "targets",
    "timeline",
    "steps",
    "commands",
    "updates",
    "notes",
    "action_items",
];

/// Everything the postmortem states, in one serialisable value; markdown and
/// JSON are two views of it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Incident id.
    pub id: String,
    /// What was wrong.
    pub title: String,
    /// Final severity.
    pub severity: String,
    /// Final state.
    pub status: String,
    /// The alert it was declared for.
    pub alert: String,
    /// The checklist, if any.
    pub runbook: Option<String>,
    /// Role → holder.
    pub roles: BTreeMap<String, String>,
    /// Everyone who recorded anything.
    pub responders: Vec<String>,
    /// Milestones in UTC (`detected`, `declared`, `acknowledged`, ...).
    pub times: BTreeMap<String, Option<String>>,
    /// Durations from the declaration (and detection → declaration).
    pub durations: BTreeMap<String, Option<String>>,
    /// Severity targets and whether they were met.
    pub targets: Vec<TargetRow>,
    /// Every event.
    pub timeline: Vec<TimelineRow>,
    /// Every runbook step and what became of it.
    pub steps: Vec<StepRow>,
    /// Every command run from the runbook, with its result and output.
    pub commands: Vec<CommandRow>,
    /// Status updates as sent.
    pub updates: Vec<UpdateRow>,
    /// Notes, in the order of what they describe.
    pub notes: Vec<NoteRow>,
    /// Follow-ups.
    pub action_items: Vec<ActionRow>,
}

/// One severity target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetRow {
    /// `acknowledge`, `mitigate`, `first status update`.
    pub target: String,
    /// Allowed time.
    pub within: String,
    /// Time it took, if it happened.
    pub actual: Option<String>,
    /// Met, missed, or not decided yet (`None`).
    pub met: Option<bool>,
}

/// One timeline line.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineRow {
    /// UTC with milliseconds.
    pub at: String,
    /// Who (or which source) recorded it.
    pub by: String,
    /// What happened.
    pub event: String,
}

/// One runbook step.
#[derive(Debug, Clone, Serialize)]
pub struct StepRow {
    /// Section heading.
    pub section: String,
    /// Step id.
    pub id: String,
    /// Step text.
    pub text: String,
    /// `done`, `undone` (ticked, then unticked) or `not done`.
    pub state: String,
    /// Who last changed it.
    pub by: Option<String>,
    /// When (UTC).
    pub at: Option<String>,
}

/// One command run from a runbook step.
#[derive(Debug, Clone, Serialize)]
pub struct CommandRow {
    /// When it ended (UTC).
    pub at: String,
    /// Who ran it.
    pub by: String,
    /// The step.
    pub step: String,
    /// `run`, `verify` or `rollback`.
    pub purpose: String,
    /// The command as run.
    pub command: String,
    /// `exit 0`, `timed out`, ...
    pub outcome: String,
    /// Whether it exited 0.
    pub ok: bool,
    /// How long it ran.
    pub duration: String,
    /// The end of its output as recorded.
    pub output: String,
    /// Output lines not recorded.
    pub omitted: usize,
}

/// One status update.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateRow {
    /// UTC.
    pub at: String,
    /// Author.
    pub by: String,
    /// `internal` or `external`.
    pub audience: String,
    /// Text.
    pub text: String,
}

/// One note.
#[derive(Debug, Clone, Serialize)]
pub struct NoteRow {
    /// When what it describes happened (UTC).
    pub at: String,
    /// Author.
    pub by: String,
    /// Text.
    pub text: String,
}

/// One action item.
#[derive(Debug, Clone, Serialize)]
pub struct ActionRow {
    /// What to do.
    pub text: String,
    /// Who.
    pub owner: Option<String>,
    /// By when.
    pub due: Option<String>,
    /// Tracker reference.
    pub ticket: Option<String>,
    /// What is missing (`owner`, `due date`) — flagged in the markdown.
    pub missing: Vec<String>,
}

/// Text from outside, cleaned of control characters and secrets.
fn clean(s: &str) -> String {
    redact(&sanitize::multiline(s))
}

fn at(m: &Mark) -> String {
    format!("{} UTC", utc_datetime(m.at))
}

/// Builds the report of a journal.
pub fn report(events: &[Event], matrix: &Matrix) -> Result<Report, FoldError> {
    let inc = Incident::fold(events)?;
    let target = matrix.target(inc.severity);
    let mut times = BTreeMap::new();
    times.insert(
        "detected".to_string(),
        Some(format!("{} UTC", utc_datetime(inc.alert.starts_at))),
    );
    times.insert("declared".to_string(), Some(at(&inc.declared)));
    times.insert(
        "acknowledged".to_string(),
        inc.acknowledged.as_ref().map(at),
    );
    times.insert("mitigated".to_string(), inc.mitigated.as_ref().map(at));
    times.insert("resolved".to_string(), inc.resolved.as_ref().map(at));
    let mut durations = BTreeMap::new();
    durations.insert(
        "time_to_declare".to_string(),
        Some(hms(inc.time_to_declare())),
    );
    durations.insert(
        "time_to_acknowledge".to_string(),
        inc.time_to_acknowledge().map(hms),
    );
    durations.insert(
        "time_to_mitigate".to_string(),
        inc.time_to_mitigate().map(hms),
    );
    durations.insert(
        "time_to_resolve".to_string(),
        inc.time_to_resolve().map(hms),
    );
    let first_update = inc
        .updates
        .first()
        .map(|u| u.mark.at.duration_since(inc.declared.at));
    let mut targets = Vec::new();
    let mut row =
        |name: &str, within: Option<std::time::Duration>, actual: Option<jiff::SignedDuration>| {
            let Some(w) = within else { return };
            let w = jiff::SignedDuration::try_from(w).unwrap_or(jiff::SignedDuration::MAX);
            let still_open = inc.is_open();
            let met = match actual {
                Some(a) => Some(a <= w),
                None if still_open => None,
                None => Some(false),
            };
            targets.push(TargetRow {
                target: name.to_string(),
                within: hms(w),
                actual: actual.map(hms),
                met,
            });
        };
    row("acknowledge", target.acknowledge, inc.time_to_acknowledge());
    row("mitigate", target.mitigate, inc.time_to_mitigate());
    row("first status update", target.first_comm, first_update);
    let timeline = events
        .iter()
        .map(|e| TimelineRow {
            at: e.ts.strftime("%Y-%m-%d %H:%M:%S%.3f").to_string(),
            by: clean(&e.author),
            event: clean(&e.describe()),
        })
        .collect();
    let steps = inc
        .runbook
        .as_ref()
        .map(|rb| {
            rb.steps
                .iter()
                .map(|st| {
                    let mark = inc.steps.get(&st.id);
                    let state = match mark {
                        Some(m) if m.done => "done",
                        Some(_) => "undone",
                        None => "not done",
                    };
                    StepRow {
                        section: clean(&st.section),
                        id: clean(&st.id),
                        text: clean(&st.text),
                        state: state.into(),
                        by: mark.map(|m| clean(&m.mark.by)),
                        at: mark.map(|m| at(&m.mark)),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let commands = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::CommandFinished {
                step,
                command,
                purpose,
                outcome,
                duration_ms,
                output,
                omitted,
            } => Some(CommandRow {
                at: at(&Mark {
                    at: e.ts,
                    by: String::new(),
                }),
                by: clean(&e.author),
                step: clean(step),
                purpose: purpose.as_str().into(),
                command: clean(command),
                outcome: clean(&outcome.describe()),
                ok: outcome.is_success(),
                duration: crate::domain::time::short_duration(std::time::Duration::from_millis(
                    *duration_ms,
                )),
                output: clean(output),
                omitted: *omitted,
            }),
            _ => None,
        })
        .collect();
    Ok(Report {
        id: clean(&inc.id),
        title: clean(&inc.title),
        severity: inc.severity.to_string(),
        status: inc.status.to_string(),
        alert: clean(&inc.alert.name),
        runbook: inc
            .runbook
            .as_ref()
            .map(|r| format!("{} ({})", clean(&r.title), clean(&r.id))),
        roles: inc
            .roles
            .iter()
            .map(|(r, (n, _))| (r.title().to_string(), clean(n)))
            .collect(),
        responders: inc.responders.iter().map(|r| clean(r)).collect(),
        times,
        durations,
        targets,
        timeline,
        steps,
        commands,
        updates: inc
            .updates
            .iter()
            .map(|u| UpdateRow {
                at: at(&u.mark),
                by: clean(&u.mark.by),
                audience: u.audience.as_str().into(),
                text: clean(&u.text),
            })
            .collect(),
        notes: inc
            .notes
            .iter()
            .map(|(m, t)| NoteRow {
                at: at(m),
                by: clean(&m.by),
                text: clean(t),
            })
            .collect(),
        action_items: inc
            .actions
            .iter()
            .map(|a| {
                let mut missing = Vec::new();
                if a.owner.is_none() {
                    missing.push("owner".to_string());
                }
                if a.due.is_none() {
                    missing.push("due date".to_string());
                }
                ActionRow {
                    text: clean(&a.text),
                    owner: a.owner.as_deref().map(clean),
                    due: a.due.map(|d| d.to_string()),
                    ticket: a.ticket.as_deref().map(clean),
                    missing,
                }
            })
            .collect(),
    })
}

/// The report as pretty JSON.
pub fn json(events: &[Event], matrix: &Matrix) -> Result<String, FoldError> {
    let r = report(events, matrix)?;
    let mut out =
        serde_json::to_string_pretty(&r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    Ok(out)
}

/// Renders the postmortem for a journal through a template.
pub fn markdown(events: &[Event], template: &str, matrix: &Matrix) -> Result<String, FoldError> {
    render(events, template, matrix).map(|r| r.text)
}

/// A rendered postmortem and what the template asked for that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The markdown.
    pub text: String,
    /// `{{names}}` in the template that are not [`PLACEHOLDERS`], left as written.
    pub unknown: Vec<String>,
}

/// Renders the postmortem through a template in one pass: text that came
/// from a note, a title or a command is inserted as it is and never searched
/// for placeholders itself.
pub fn render(events: &[Event], template: &str, matrix: &Matrix) -> Result<Rendered, FoldError> {
    let inc = Incident::fold(events)?;
    let r = report(events, matrix)?;
    let values: Vec<(&str, String)> = values(&inc, &r).into_iter().collect();
    let filled = super::template::fill(template, &values);
    let mut text = filled.text;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(Rendered {
        text,
        unknown: filled.unknown,
    })
}

/// Markdown-safe on one line (table cells).
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

fn or_dash(s: &Option<String>) -> String {
    s.as_deref().map_or("—".to_string(), cell)
}

fn values(inc: &Incident, r: &Report) -> BTreeMap<&'static str, String> {
    let mut v = BTreeMap::new();
    v.insert("title", cell(&r.title));
    v.insert("id", cell(&r.id));
    v.insert("severity", r.severity.clone());
    v.insert("status", r.status.clone());
    v.insert("alert", cell(&r.alert));
    v.insert(
        "runbook",
        r.runbook.as_deref().map_or("none matched".into(), cell),
    );
    v.insert(
        "roles",
        Role::ALL
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
    );
    v.insert(
        "responders",
        r.responders
            .iter()
            .map(|x| cell(x))
            .collect::<Vec<_>>()
            .join(", "),
    );
    v.insert("summary", summary(inc, r));
    v.insert("impact", impact(inc));
    v.insert("durations", durations(r));
    v.insert("targets", targets(r));
    v.insert("timeline", timeline(r));
    v.insert("steps", steps(r));
    v.insert("commands", commands(r));
    v.insert("updates", updates(r));
    v.insert("notes", notes(r));
    v.insert("action_items", action_items(r));
    v
}

fn summary(inc: &Incident, r: &Report) -> String {
    let mut s = format!(
        "Alert {} fired at {} UTC; a {} incident was declared at {} UTC.",
        cell(&r.alert),
        utc_datetime(inc.alert.starts_at),
        inc.severity,
        utc_datetime(inc.declared.at),
    );
    if let Some(m) = &inc.mitigated {
        s.push_str(&format!(" Mitigated at {} UTC.", utc_datetime(m.at)));
    }
    match &inc.resolved {
        Some(x) => s.push_str(&format!(" Resolved at {} UTC.", utc_datetime(x.at))),
        None => s.push_str(" Not resolved when this was exported."),
    }
    if !inc.alert.summary.is_empty() {
        s.push_str(&format!(
            "\n\nAlert summary: {}",
            cell(&clean(&inc.alert.summary))
        ));
    }
    s
}

fn impact(inc: &Incident) -> String {
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
    let end = inc
        .resolved
        .as_ref()
        .map(|x| format!("until {} UTC", utc_datetime(x.at)))
        .unwrap_or_else(|| "and still ongoing at export".into());
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
        ("Detected (alert started)", t("detected"), None),
        (
            "Declared",
            t("declared"),
            d("time_to_declare").map(|x| format!("{x} after detection")),
        ),
        (
            "Acknowledged",
            t("acknowledged"),
            d("time_to_acknowledge").map(|x| format!("time to acknowledge {x}")),
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
    if r.targets.is_empty() {
        return format!("No response-time targets apply to {}.", r.severity);
    }
    let mut s = format!(
        "Targets for {} from the severity matrix.\n\n| Target | Within | Took | Met |\n|---|---|---|---|\n",
        r.severity
    );
    for t in &r.targets {
        let met = match t.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "not yet",
        };
        s.push_str(&format!(
            "| {} | {} | {} | {met} |\n",
            t.target,
            t.within,
            t.actual.as_deref().unwrap_or("never")
        ));
    }
    s.trim_end().to_string()
}

fn timeline(r: &Report) -> String {
    let mut s = String::from("| Time (UTC) | Who | Event |\n|---|---|---|\n");
    for e in &r.timeline {
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            e.at,
            cell(&e.by),
            cell(&e.event)
        ));
    }
    s.trim_end().to_string()
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
        if c.omitted > 0 {
            s.push_str(&format!("  … {} earlier lines not recorded\n", c.omitted));
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
    let done = r.steps.iter().filter(|s| s.state == "done").count();
    let mut s = format!(
        "Runbook {}: {done} of {} steps done.\n",
        r.runbook.as_deref().map_or(String::new(), cell),
        r.steps.len()
    );
    let mut section = "";
    for st in &r.steps {
        if st.section != section {
            section = &st.section;
            s.push_str(&format!("\n### {}\n\n", cell(section)));
        }
        let who = match (&st.at, &st.by) {
            (Some(at), Some(by)) => format!(" ({at}, {})", cell(by)),
            _ => String::new(),
        };
        let mark = match st.state.as_str() {
            "done" => "- [x]".to_string(),
            "undone" => "- [ ] (ticked, then unticked)".to_string(),
            _ => "- [ ]".to_string(),
        };
        s.push_str(&format!(
            "{mark} {} — {}: {}{who}\n",
            cell(&st.section),
            cell(&st.id),
            cell(&st.text)
        ));
    }
    s.trim_end().to_string()
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
                .map(|l| format!("> {l}"))
                .collect::<Vec<_>>()
                .join("\n");
            format!("**{} — {}, {}**\n\n{body}", u.at, u.audience, cell(&u.by))
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn notes(r: &Report) -> String {
    if r.notes.is_empty() {
        return "No notes were taken.".into();
    }
    r.notes
        .iter()
        .map(|n| {
            format!(
                "- {}, {}: {}",
                n.at,
                cell(&n.by),
                n.text.replace('\n', "\n  ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn action_items(r: &Report) -> String {
    let mut s = String::from("| Action | Owner | Due | Ticket |\n|---|---|---|---|\n");
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
    use super::*;
    use crate::domain::alert::AlertState;
    use crate::domain::incident::tests::{declared, ev, step};
    use crate::domain::incident::{Audience, EventKind, RunbookRef, StepRef};
    use crate::domain::policy::ClockKind;
    use crate::domain::severity::Sev;

    /// A journal with every kind of event.
    fn journal() -> Vec<Event> {
        vec![
            ev("03:00:00", "alice", declared()),
            ev(
                "03:00:30",
                "alice",
                EventKind::RoleAssigned {
                    role: Role::Ic,
                    name: "alice".into(),
                },
            ),
            ev(
                "03:00:40",
                "alice",
                EventKind::RoleAssigned {
                    role: Role::Comms,
                    name: "carol".into(),
                },
            ),
            ev("03:01:30", "alice", EventKind::Acknowledged),
            ev("03:02:00", "alice", step("check-1", true)),
            ev(
                "03:02:10",
                "alice",
                EventKind::StepUndone {
                    step: "check-1".into(),
                    section: "Check".into(),
                    text: "Confirm".into(),
                },
            ),
            ev("03:02:20", "bob", step("check-1", true)),
            ev(
                "03:04:00",
                "bob",
                EventKind::Note {
                    text: "rolled back | v1.4 with PGPASSWORD=hunter2 psql\n\u{1b}[31mred".into(),
                },
            ),
            ev(
                "03:05:00",
                "carol",
                EventKind::Note {
                    text: "support saw the first complaint".into(),
                },
            )
            .about(Some(crate::domain::incident::tests::at("02:58:00"))),
            ev(
                "03:06:00",
                "alice",
                EventKind::SeverityChanged {
                    from: Sev::P1,
                    to: Sev::P0,
                },
            ),
            ev(
                "03:07:00",
                "alertmanager",
                EventKind::AlertChanged {
                    fingerprint: "abc".into(),
                    name: "CatalogP99Latency".into(),
                    state: AlertState::Silenced,
                    silenced_by: vec!["s-1".into()],
                },
            ),
            ev(
                "03:07:00",
                "alice",
                EventKind::SilenceCreated {
                    silence_id: "s-1".into(),
                    alert: "CatalogP99Latency".into(),
                    fingerprint: "abc".into(),
                    until: crate::domain::incident::tests::at("04:07:00"),
                },
            ),
            ev(
                "03:08:00",
                "carol",
                EventKind::StatusUpdate {
                    audience: Audience::External,
                    text: "Investigating: slow catalog pages.\nNext update 03:38 UTC.".into(),
                },
            ),
            ev(
                "03:08:10",
                "bob",
                EventKind::GateOverridden {
                    step: "mitigate-1".into(),
                    missing: vec!["check-1".into()],
                },
            ),
            ev(
                "03:08:20",
                "bob",
                EventKind::CommandStarted {
                    step: "mitigate-1".into(),
                    command: "kubectl -n shop rollout undo deploy/catalog".into(),
                    purpose: crate::domain::incident::Purpose::Run,
                },
            ),
            ev(
                "03:08:25",
                "bob",
                EventKind::CommandFinished {
                    step: "mitigate-1".into(),
                    command: "kubectl -n shop rollout undo deploy/catalog".into(),
                    purpose: crate::domain::incident::Purpose::Run,
                    outcome: crate::domain::incident::RunOutcome::Exited(0),
                    duration_ms: 4200,
                    output: "deployment.apps/catalog rolled back\nPGPASSWORD=hunter2 | ``` fence"
                        .into(),
                    omitted: 3,
                },
            ),
            ev(
                "03:08:40",
                "bob",
                EventKind::StepVerified {
                    step: "verify-1".into(),
                    how: "verify_query returned 1 series: up == 1".into(),
                },
            ),
            ev(
                "03:08:50",
                "alice",
                EventKind::BranchTaken {
                    from: "check-1".into(),
                    to: "mitigate-1".into(),
                    label: "go to step mitigate-1".into(),
                },
            ),
            ev("03:09:00", "bob", EventKind::Mitigated),
            ev(
                "03:09:30",
                "bob",
                EventKind::ClusterAction {
                    action: "rollout restart Deployment shop/catalog".into(),
                    ok: true,
                    outcome: "restarted".into(),
                },
            ),
            ev(
                "03:10:00",
                "alice",
                EventKind::RunbookAttached {
                    runbook: RunbookRef {
                        id: "api-latency-p99".into(),
                        title: "API latency".into(),
                        steps: vec![
                            StepRef {
                                id: "check-1".into(),
                                section: "Check".into(),
                                text: "Confirm".into(),
                            },
                            StepRef {
                                id: "mitigate-1".into(),
                                section: "Mitigate".into(),
                                text: "Roll back".into(),
                            },
                        ],
                    },
                },
            ),
            ev(
                "03:11:00",
                "alice",
                EventKind::SilenceExpired {
                    silence_id: "s-1".into(),
                },
            ),
            ev(
                "03:35:00",
                "warroom",
                EventKind::DeadlineMissed {
                    clock: ClockKind::Update,
                    due: crate::domain::incident::tests::at("03:38:00"),
                },
            ),
            ev(
                "03:36:00",
                "alice",
                EventKind::ActionItem {
                    text: "alert on p99 per pod".into(),
                    owner: Some("bob".into()),
                    due: "2026-12-01".parse().ok(),
                    ticket: Some("OPS-42".into()),
                },
            ),
            ev(
                "03:37:00",
                "alice",
                EventKind::ActionItem {
                    text: "load test with token=abc123secret".into(),
                    owner: None,
                    due: None,
                    ticket: None,
                },
            ),
            ev("03:40:00", "alice", EventKind::Resolved),
            ev("03:41:00", "bob", EventKind::Reopened),
            ev("03:45:00", "bob", EventKind::Resolved),
        ]
    }

    fn md() -> String {
        markdown(&journal(), DEFAULT_TEMPLATE, &Matrix::default()).expect("export")
    }

    #[test]
    fn export_matches_golden_file() {
        let md = md();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/export-basic.md");
        if std::env::var_os("WARROOM_UPDATE_GOLDEN").is_some() {
            std::fs::write(path, &md).expect("write golden");
        }
        let golden = std::fs::read_to_string(path).expect("golden file");
        assert_eq!(
            md, golden,
            "export changed; regenerate tests/golden/export-basic.md if intended"
        );
    }

    #[test]
    fn export_is_deterministic_and_complete() {
        let a = md();
        assert_eq!(a, md());
        for heading in [
            "## Summary",
            "## Impact",
            "## Key times and durations (UTC)",
            "## Response against the severity targets",
            "## Timeline (UTC)",
            "## Runbook steps",
            "## Status updates",
            "## Root cause",
            "## Why we did not catch it earlier",
            "## Action items",
            "## Lessons",
        ] {
            assert!(a.contains(heading), "missing {heading}");
        }
        assert!(a.contains("| Roles | Incident commander: alice; Communications: carol; Operations: not assigned; Scribe: not assigned |"), "{a}");
        assert!(
            a.contains("| Detected (alert started) | 2026-11-21 02:55:00 UTC |"),
            "{a}"
        );
        assert!(a.contains("time to acknowledge 00:01:30"));
        assert!(a.contains("time to mitigate 00:09:00"));
        assert!(
            a.contains("time to resolve 00:45:00"),
            "the latest resolution counts"
        );
        // P0 at the end: acknowledge within 5 min met, mitigate within 30 met,
        // first customer update within 15 met.
        assert!(
            a.contains("| acknowledge | 00:05:00 | 00:01:30 | yes |"),
            "{a}"
        );
        assert!(
            a.contains("| mitigate | 00:30:00 | 00:09:00 | yes |"),
            "{a}"
        );
        assert!(
            a.contains("| first status update | 00:15:00 | 00:08:00 | yes |"),
            "{a}"
        );
        assert!(
            a.contains("- [x] Check — check-1: Confirm (2026-11-21 03:02:20 UTC, bob)"),
            "{a}"
        );
        assert!(a.contains("- [ ] Mitigate — mitigate-1: Roll back"));
        assert!(a.contains("> Investigating: slow catalog pages."));
        assert!(a.contains("| alert on p99 per pod | bob | 2026-12-01 | OPS-42 |"));
        assert!(
            a.contains("| load test with token=[REDACTED] | **missing** | **missing** | — |"),
            "{a}"
        );
        assert!(a.contains("1 action item(s) lack an owner or a due date"));
        // The late-reported note sorts by when it happened.
        let notes = &a[a.find("## Notes from the incident").expect("notes")..];
        let early = notes.find("support saw the first complaint").expect("note");
        let later = notes.find("rolled back").expect("note");
        assert!(early < later);
        assert!(
            !a.contains('\u{1b}')
                && !a.contains("{{")
                && !a.contains("hunter2")
                && !a.contains("abc123secret")
        );
    }

    #[test]
    fn json_has_the_same_facts() {
        let j: serde_json::Value =
            serde_json::from_str(&json(&journal(), &Matrix::default()).expect("json"))
                .expect("valid json");
        assert_eq!(j["severity"], "P0");
        assert_eq!(j["status"], "resolved");
        assert_eq!(j["roles"]["Incident commander"], "alice");
        assert_eq!(j["times"]["acknowledged"], "2026-11-21 03:01:30 UTC");
        assert_eq!(j["targets"][0]["met"], true);
        assert_eq!(j["steps"][0]["state"], "done");
        assert_eq!(j["steps"][1]["state"], "not done");
        assert_eq!(
            j["action_items"][1]["missing"],
            serde_json::json!(["owner", "due date"])
        );
        assert_eq!(
            j["timeline"].as_array().map(Vec::len),
            Some(journal().len())
        );
        assert!(!j.to_string().contains("hunter2"));
    }

    #[test]
    fn missed_targets_say_no_and_open_ones_not_yet() {
        let events = vec![
            ev("03:00:00", "alice", declared()),
            ev("03:20:00", "bob", EventKind::Acknowledged),
        ];
        let a = markdown(&events, "{{targets}}", &Matrix::default()).expect("export");
        assert!(
            a.contains("| acknowledge | 00:15:00 | 00:20:00 | **no** |"),
            "{a}"
        );
        assert!(
            a.contains("| mitigate | 04:00:00 | never | not yet |"),
            "{a}"
        );
    }

    #[test]
    fn text_from_the_journal_is_never_filled_as_a_template() {
        let mut events = journal();
        for _ in 0..50 {
            events.push(ev(
                "03:30:00",
                "bob",
                EventKind::Note {
                    text: "see {{timeline}} and {{notes}}".into(),
                },
            ));
        }
        let md = markdown(&events, DEFAULT_TEMPLATE, &Matrix::default()).expect("export");
        assert!(md.contains("see {{timeline}} and {{notes}}"));
        let plain = markdown(&journal(), DEFAULT_TEMPLATE, &Matrix::default()).expect("export");
        assert!(
            md.len() < plain.len() + 50 * 400,
            "50 notes grew the export from {} to {} bytes",
            plain.len(),
            md.len()
        );
    }

    #[test]
    fn unknown_template_placeholders_are_reported() {
        let r = render(&journal(), "{{title}} {{root_cause}}", &Matrix::default()).expect("export");
        assert_eq!(r.unknown, ["root_cause"]);
        assert!(r.text.contains("{{root_cause}}"));
    }

    #[test]
    fn custom_template_uses_placeholders() {
        let md = markdown(
            &journal(),
            "{{id}} {{severity}} {{status}} {{roles}}",
            &Matrix::default(),
        )
        .expect("export");
        assert_eq!(
            md,
            "2026-11-21-catalog-p99-latency P0 resolved Incident commander: alice; Communications: carol; Operations: not assigned; Scribe: not assigned\n"
        );
        for p in PLACEHOLDERS {
            let out =
                markdown(&journal(), &format!("{{{{{p}}}}}"), &Matrix::default()).expect("export");
            assert!(!out.contains("{{"), "{p} not filled");
        }
    }
}
