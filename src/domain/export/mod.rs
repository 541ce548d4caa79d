//! Postmortem export: a pure function from journal events (and the severity
//! matrix) to a report, rendered as markdown through a template or as JSON, so
//! the same journal always yields the same bytes. Every text that came from a
//! responder or a source is sanitised and has its secrets redacted.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

mod collect;
pub mod evidence;
mod exercise;
mod exercise_md;
#[cfg(test)]
mod exercise_tests;
mod markdown;
pub mod svg;
#[cfg(test)]
mod tests;

pub use collect::{Collect, Timeline, TimelineRow};
pub use exercise::ExerciseReport;

use super::incident::{Event, FoldError, Incident, Mark, StepName};
use super::policy::Matrix;
use super::redact::redact;
use super::time::{hms, utc_datetime};
use crate::sanitize;

/// The template shipped in assets/, used unless a team supplies its own.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../../assets/postmortem.md");

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
    // An exercise's marks; each is empty for a real incident, so a
    // template holds them at the start of a line (`{{kind_row}}| Severity`).
    "exercise_label",
    "kind_row",
    "exercise",
    // Pinned evidence; empty when nothing was pinned, so it too sits at
    // the start of a line (`{{evidence}}## Root cause`).
    "evidence",
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
    /// A drill's or game-day's facts, so an exercise is never read as a
    /// real incident; absent for a real incident.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exercise: Option<ExerciseReport>,
    /// Nobody acknowledged: the time to acknowledge is mitigation's (or
    /// resolution's).
    pub ack_implied: bool,
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
    pub timeline: Timeline,
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
    /// What the responders pinned, in order (JSON carries the points).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<evidence::EvidenceRow>,
    /// The incident's main metric over its window (JSON carries the points).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_metric: Option<evidence::MainMetric>,
    /// Lines of the journal that could not be read, so the reader knows
    /// the record is incomplete; left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
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
    /// In words: `yes`, `missed by 00:12:00`, `not yet (due …)`, with a
    /// note when the time was implied rather than recorded.
    pub verdict: String,
}

/// One runbook step.
#[derive(Debug, Clone, Serialize)]
pub struct StepRow {
    /// The runbook it is in: `title (id)`.
    pub runbook: String,
    /// Whether the runbook as attached lists it; a step done that it does
    /// not (added or reworded in the file since) is still reported.
    pub listed: bool,
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
    /// Every command run for it, ticked or not, oldest first.
    pub runs: Vec<RunRow>,
}

/// One command run for a step, as the step's entry lists it.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    /// When it started (UTC).
    pub at: String,
    /// Who ran it.
    pub by: String,
    /// `run`, `verify`, `rollback` or `query`.
    pub purpose: String,
    /// What ran.
    pub command: String,
    /// The runbook's own command, when it was edited before running.
    pub original: Option<String>,
    /// How it ended: `exit 0`, `timed out`, `still running`…
    pub outcome: String,
    /// How long it ran.
    pub duration: Option<String>,
}

fn run_rows(runs: &[&crate::domain::incident::RunMark]) -> Vec<RunRow> {
    runs.iter()
        .map(|r| RunRow {
            at: at(&r.mark),
            by: clean(&r.mark.by),
            purpose: r.purpose.as_str().into(),
            command: clean(&r.command),
            original: r.original.as_deref().map(clean),
            outcome: r
                .outcome
                .as_ref()
                .map_or("no end recorded".to_string(), |o| clean(&o.describe())),
            duration: r.outcome.as_ref().map(|_| {
                crate::domain::time::short_duration(std::time::Duration::from_millis(r.duration_ms))
            }),
        })
        .collect()
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
    /// The host whose cockpit ran it, when the incident was shared with its
    /// command output kept there: every host's export then leaves the
    /// output out alike.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept_on: Option<String>,
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

/// The alert of an incident declared by hand, as reports name it.
pub const MANUAL_ALERT: &str = "none (declared by hand)";

/// Builds the report of a journal.
pub fn report(events: &[Event], matrix: &Matrix) -> Result<Report, FoldError> {
    Ok(finish(Collect::whole(events)?, matrix).1)
}

/// The report from everything collected, and the incident it folded to.
pub fn finish(collected: Collect, matrix: &Matrix) -> (Incident, Report) {
    let now = collected.last_at();
    let (mut inc, timeline, commands, (evidence, main_metric)) = collected.finish();
    let mut report = build(&mut inc, matrix, timeline, commands);
    report.evidence = evidence;
    report.main_metric = main_metric;
    report.exercise = now.and_then(|now| exercise::report(&inc, now));
    (inc, report)
}

/// The report of a folded incident. Its notes move into the report (a
/// 100,000-note incident is not held twice); the rest stays.
fn build(
    inc: &mut Incident,
    matrix: &Matrix,
    timeline: Timeline,
    commands: Vec<CommandRow>,
) -> Report {
    let target = matrix.target(inc.severity);
    let mut times = BTreeMap::new();
    // A hand-declared incident has no alert: nothing detected it but the
    // people who declared it, so neither a detection time nor a delay.
    let manual = inc.alert.is_manual();
    times.insert(
        "detected".to_string(),
        (!manual).then(|| format!("{} UTC", utc_datetime(inc.alert.starts_at))),
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
        (!manual).then(|| hms(inc.time_to_declare())),
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
    let mut row = |name: &str,
                   within: Option<std::time::Duration>,
                   actual: Option<jiff::SignedDuration>,
                   implied: bool| {
        let Some(w) = within else { return };
        let w = jiff::SignedDuration::try_from(w).unwrap_or(jiff::SignedDuration::MAX);
        let still_open = inc.is_open();
        let met = match actual {
            Some(a) => Some(a <= w),
            None if still_open => None,
            None => Some(false),
        };
        let mut verdict = match actual {
            Some(a) if a <= w => "yes".to_string(),
            Some(a) => format!("**missed by {}**", hms(a - w)),
            None if still_open => format!(
                "not yet (due {} UTC)",
                inc.declared
                    .at
                    .checked_add(w)
                    .map_or("—".to_string(), utc_datetime)
            ),
            None => "**missed**: never done".to_string(),
        };
        if implied {
            verdict.push_str(" (implied: no acknowledgement was recorded)");
        }
        targets.push(TargetRow {
            target: name.to_string(),
            within: hms(w),
            actual: actual.map(hms),
            met,
            verdict,
        });
    };
    row(
        "acknowledge",
        target.acknowledge,
        inc.time_to_acknowledge(),
        inc.ack_implied,
    );
    row("mitigate", target.mitigate, inc.time_to_mitigate(), false);
    row(
        "first status update",
        target.first_comm,
        first_update,
        false,
    );
    // Per attached runbook, in the order attached: its steps as attached,
    // then steps done that it does not list. Progress is looked up by
    // runbook and step key, so one runbook's ticks never show on another's.
    let mut steps = Vec::new();
    for rb in &inc.attached {
        let label = format!("{} ({})", clean(&rb.title), clean(&rb.id));
        for st in &rb.steps {
            let mark = inc.step_mark(&rb.id, st);
            let state = match mark {
                Some(m) if m.done => "done",
                Some(_) => "undone",
                None => "not done",
            };
            steps.push(StepRow {
                runbook: label.clone(),
                listed: true,
                section: clean(&st.section),
                id: clean(&st.id),
                text: clean(&st.text),
                state: state.into(),
                by: mark.map(|m| clean(&m.mark.by)),
                at: mark.map(|m| at(&m.mark)),
                runs: run_rows(&inc.step_runs(&rb.id, st)),
            });
        }
        let listed: Vec<StepName<'_>> = rb.steps.iter().map(StepName::from).collect();
        for (place, m) in inc.gone_steps(&rb.id, &listed) {
            steps.push(StepRow {
                runbook: label.clone(),
                listed: false,
                section: clean(&m.section),
                id: String::new(),
                text: clean(&m.text),
                state: "done".into(),
                by: Some(clean(&m.mark.by)),
                at: Some(at(&m.mark)),
                runs: run_rows(
                    &inc.runs
                        .get(place)
                        .map(|v| v.iter().collect::<Vec<_>>())
                        .unwrap_or_default(),
                ),
            });
        }
    }
    Report {
        exercise: None,
        gaps: Vec::new(),
        ack_implied: inc.ack_implied,
        id: clean(&inc.id),
        title: clean(&inc.title),
        severity: inc.severity.to_string(),
        status: inc.status.to_string(),
        alert: if inc.exercise.is_some() {
            "none (an exercise: started on purpose, never paged)".to_string()
        } else if inc.alert.is_manual() {
            MANUAL_ALERT.to_string()
        } else {
            clean(&inc.alert.name)
        },
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
        notes: std::mem::take(&mut inc.notes)
            .into_iter()
            .map(|(m, t)| NoteRow {
                at: at(&m),
                by: clean(&m.by),
                text: clean(&t),
            })
            .collect(),
        evidence: Vec::new(),
        main_metric: None,
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
    }
}

/// The report as pretty JSON.
pub fn json(events: &[Event], matrix: &Matrix) -> Result<String, FoldError> {
    json_with_gaps(events, matrix, Vec::new())
}

/// [`json`] with the gaps in the record the reading found.
pub fn json_with_gaps(
    events: &[Event],
    matrix: &Matrix,
    gaps: Vec<String>,
) -> Result<String, FoldError> {
    let mut r = report(events, matrix)?;
    r.gaps = gaps;
    let mut out = Vec::new();
    if let Err(e) = write_json(&mut out, &r) {
        return Ok(format!("{{\"error\": \"{e}\"}}\n"));
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Writes the report as pretty JSON, ending with a newline.
pub fn write_json(w: &mut impl Write, r: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, r)?;
    w.write_all(b"\n")
}

/// The reading's warnings about `journal` as gaps in the record: the
/// journal's path (a detail of this machine) becomes "line N".
pub fn gaps(warnings: &[String], journal: &std::path::Path) -> Vec<String> {
    let prefix = format!("{}:", journal.display());
    warnings
        .iter()
        .map(|w| match w.strip_prefix(&prefix) {
            Some(rest) => format!("line {}", rest.trim_start()),
            None => w.clone(),
        })
        .collect()
}

/// A section listing the gaps in the record, appended to the markdown
/// whatever the template (so a custom one cannot hide them); empty when
/// the journal was read whole.
pub fn gaps_section(gaps: &[String]) -> String {
    if gaps.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n## Gaps in the record\n\nThese lines of the journal could not be read; what they held is missing above.\n\n",
    );
    for g in gaps {
        out.push_str(&format!("- {}\n", crate::sanitize::line(g)));
    }
    out
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
    let (inc, r) = finish(Collect::whole(events)?, matrix);
    let mut out = Vec::new();
    let unknown = write_markdown(&mut out, &inc, &r, template).unwrap_or_default();
    Ok(Rendered {
        text: String::from_utf8_lossy(&out).into_owned(),
        unknown,
    })
}

/// Writes the postmortem through a template, ending with a newline, as it
/// is produced; returns the `{{names}}` the template asked for that do
/// not exist.
pub fn write_markdown(
    w: &mut impl Write,
    inc: &Incident,
    r: &Report,
    template: &str,
) -> io::Result<Vec<String>> {
    let mut out = markdown::LastByte::new(w);
    let mut placed = false;
    let mut pinned = false;
    let unknown = super::template::fill_to(template, &mut out, |name, out| {
        placed |= name == "exercise";
        pinned |= name == "evidence";
        markdown::section(name, inc, r, out)
    })?;
    if out.last() != Some(b'\n') {
        out.write_all(b"\n")?;
    }
    // A template without `{{exercise}}` still says it was an exercise.
    if let Some(x) = r.exercise.as_ref().filter(|_| !placed) {
        writeln!(out, "\n{}", exercise_md::section(x))?;
    }
    // Nor is what was pinned lost to a template without `{{evidence}}`.
    if !pinned && (!r.evidence.is_empty() || r.main_metric.is_some()) {
        write!(out, "\n{}", evidence::section(r))?;
    }
    Ok(unknown)
}
