//! How each kind of event reads: a timeline row's headline and the one
//! line the export's timeline and the entry view use.

use super::EventKind;
use crate::domain::alert::AlertState;
use crate::domain::exercise::drill::ms_text;

/// A second declaration of one incident, made on another host before the
/// two met through the cluster: the first declaration stands.
pub fn declared_again(e: &super::Event) -> String {
    let host = if e.host.is_empty() {
        "another host".to_string()
    } else {
        format!("host {}", e.host)
    };
    format!(
        "Declared it too before the hosts met, on {host}: the first declaration stands ({})",
        e.kind.describe()
    )
}

/// A multi-line command on one line, for the timeline.
pub(super) fn one_line(command: &str) -> String {
    let mut lines = command.lines();
    let first = lines.next().unwrap_or_default();
    match lines.count() {
        0 => format!("`{first}`"),
        n => format!("`{first}` (+{n} lines)"),
    }
}

impl EventKind {
    /// One timeline row's words: a command's outcome before the command,
    /// so a row cut at the pane's edge still shows how it ended.
    pub fn headline(&self) -> String {
        match self {
            EventKind::CommandFinished {
                step,
                command,
                purpose,
                outcome,
                duration_ms,
                ..
            } => format!(
                "{} step {step} → {} in {}: {}",
                purpose.done(),
                outcome.describe(),
                crate::domain::time::short_duration(std::time::Duration::from_millis(*duration_ms)),
                one_line(command)
            ),
            _ => self.describe(),
        }
    }

    /// One line for the exported timeline table and the entry view.
    pub fn describe(&self) -> String {
        match self {
            EventKind::Declared {
                exercise: Some(x), ..
            } => match x.as_ref() {
                super::Exercise::Drill { runbook, .. } => {
                    format!(
                        "Started a DR drill of runbook {runbook} (an exercise, not a real incident)"
                    )
                }
                super::Exercise::Gameday(p) => format!(
                    "Started game-day {} (an exercise, not a real incident): {}",
                    p.name, p.hypothesis
                ),
            },
            EventKind::Declared {
                severity,
                alert,
                runbook,
                ..
            } => {
                let rb = runbook
                    .as_ref()
                    .map(|r| format!(", runbook {}", r.id))
                    .unwrap_or_else(|| ", no runbook".into());
                if alert.is_manual() {
                    format!("Declared {severity} incident by hand (no alert){rb}")
                } else {
                    format!("Declared {severity} incident for alert {}{rb}", alert.name)
                }
            }
            EventKind::Acknowledged => "Acknowledged".into(),
            EventKind::SeverityChanged { from, to } => format!("Severity changed {from} → {to}"),
            EventKind::StepDone { section, text, .. } => format!("Done [{section}] {text}"),
            EventKind::StepUndone { section, text, .. } => format!("Undone [{section}] {text}"),
            EventKind::Note { text } => format!("Note: {text}"),
            EventKind::RoleAssigned { role, name } => {
                format!("{} is now {name}", role.title())
            }
            EventKind::StatusUpdate { audience, text } => {
                let first = text.lines().next().unwrap_or_default();
                format!("Status update ({}): {first}", audience.as_str())
            }
            EventKind::ActionItem {
                text, owner, due, ..
            } => {
                let owner = owner.as_deref().unwrap_or("no owner");
                let due = due.map_or("no due date".to_string(), |d| format!("due {d}"));
                format!("Action item: {text} ({owner}, {due})")
            }
            EventKind::DeadlineMissed { clock, due } => format!(
                "Missed: {} ({} UTC)",
                clock.label(),
                crate::domain::time::utc_clock(*due)
            ),
            EventKind::Mitigated => "Mitigated".into(),
            EventKind::Resolved => "Resolved".into(),
            EventKind::Reopened => "Reopened".into(),
            EventKind::AlertChanged {
                name,
                state,
                silenced_by,
                ..
            } => match state {
                AlertState::Firing => format!("Alert {name} firing"),
                AlertState::Resolved => format!("Alert {name} resolved"),
                AlertState::Inhibited => format!("Alert {name} inhibited"),
                AlertState::Silenced if silenced_by.is_empty() => format!("Alert {name} silenced"),
                AlertState::Silenced => {
                    format!("Alert {name} silenced by {}", silenced_by.join(", "))
                }
            },
            EventKind::SilenceCreated {
                silence_id,
                alert,
                until,
                ..
            } => format!(
                "Silenced {alert} until {} UTC (silence {silence_id})",
                crate::domain::time::utc_datetime(*until)
            ),
            EventKind::SilenceExpired { silence_id } => format!("Expired silence {silence_id}"),
            EventKind::RunbookAttached { runbook } => {
                format!("Attached runbook {} and made it the checklist", runbook.id)
            }
            EventKind::CommandStarted {
                step,
                command,
                purpose,
                ..
            } => format!(
                "Started ({}) step {step}: {}",
                purpose.as_str(),
                one_line(command)
            ),
            EventKind::CommandFinished {
                step,
                command,
                purpose,
                outcome,
                duration_ms,
                ..
            } => format!(
                "{} step {step}: {} → {} in {}",
                purpose.done(),
                one_line(command),
                outcome.describe(),
                crate::domain::time::short_duration(std::time::Duration::from_millis(*duration_ms))
            ),
            EventKind::StepVerified { step, how, .. } => format!("Verified step {step}: {how}"),
            EventKind::GateOverridden { step, missing, .. } => format!(
                "Overrode the gate of step {step} (not done: {})",
                missing.join(", ")
            ),
            EventKind::BranchTaken { from, to, label } => {
                format!("Branched from step {from} to step {to} ({label})")
            }
            EventKind::ClusterAction {
                action,
                ok: true,
                outcome,
            } => format!("Cluster: {action} — done: {outcome}"),
            EventKind::ClusterAction {
                action,
                ok: false,
                outcome,
            } => format!("Cluster: {action} — REFUSED: {outcome}"),
            EventKind::Injected { how } => format!("Fault injected ({how}): RTO clock started"),
            EventKind::Recovered { how } => format!("Recovered ({how}): RTO clock stopped"),
            EventKind::RpoMeasured { lost_ms, how } => {
                format!("Data lost: {} ({how})", ms_text(*lost_ms))
            }
            EventKind::DrillScored { score } => {
                let verdict = if score.passed() { "PASS" } else { "FAIL" };
                let rows: Vec<String> = score.rows().iter().map(|r| r.line()).collect();
                format!("Drill scored {verdict}: {}", rows.join("; "))
            }
            EventKind::Evidence { caption, pinned } => pinned.describe(caption),
            EventKind::MetricWindow { chart } => format!(
                "Main metric recorded over the incident: {} ({})",
                one_line(&chart.query),
                crate::domain::time::short_duration(std::time::Duration::from_secs(chart.range_s))
            ),
            EventKind::Shared {
                namespace,
                output: false,
            } => format!(
                "Shared through the cluster (namespace {namespace}), keeping command output on the host that ran it"
            ),
            EventKind::Shared {
                namespace,
                output: true,
            } => format!(
                "Shared through the cluster (namespace {namespace}), command output included"
            ),
            EventKind::Merged {
                from,
                into,
                entries,
            } => format!(
                "Merged: incident {from}, declared for the same alert on another host while the cluster was unreachable, goes on as {into} ({entries} entries moved)"
            ),
            EventKind::ExperimentStarted { checks } => format!(
                "Experiment started: pre-flight passed ({} checks)",
                checks.len()
            ),
            EventKind::ExperimentEnded {
                outcome,
                why,
                evidence,
                ..
            } => match evidence {
                Some(ev) => format!(
                    "Experiment {}: {why} (abort query answered {} at {} UTC)",
                    outcome.words(),
                    ev.value,
                    crate::domain::time::utc_clock(ev.at)
                ),
                None => format!("Experiment {}: {why}", outcome.words()),
            },
        }
    }
}
