//! Incident events and the fold that turns a journal into the incident's state.
//! State is never stored: it is recomputed from events, so replay and export are
//! deterministic and every cockpit agrees.
//!
//! # The event model
//!
//! Every journal line is one [`Event`]:
//! - `v`, the schema version ([`SCHEMA_VERSION`]; lines without one are version 1);
//! - `event_id`, globally unique and lowercase: a UUIDv7 given when the line is written,
//!   or, for a fact several cockpits may each observe (an alert changing state, a
//!   deadline missed, a verify query turning green), a UUIDv5 derived from the
//!   fact ([`fact_id`]) so the fold counts it once. Lines written before ids
//!   existed get one derived from their file and line ([`line_id`]);
//! - `host`, the machine that wrote it;
//! - `ts`, when it was written, and `at`, when what it describes happened if
//!   that was earlier (a backdated note). The *effective time* is `at` where
//!   given, else `ts` ([`Event::effective`]);
//! - `author` and the kind with its details.
//!
//! Events have one total order ([`Event::order`]): effective time, then write
//! time, then id. No event is larger than [`MAX_EVENT_BYTES`] once written;
//! longer text is cut visibly when it is written ([`Event::bounded`]).

mod event;
pub mod evidence;
pub mod exercise;
#[cfg(test)]
mod exercise_tests;
mod ids;
mod kind;
mod marks;
mod progress;
#[cfg(test)]
mod progress_tests;
mod refs;
#[cfg(test)]
pub(crate) mod tests;
pub mod timeline;
mod words;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

pub use event::{Event, IdSet, MAX_EVENT_BYTES, SCHEMA_VERSION, fact_id, line_id, new_id};
pub use exercise::{Exercise, ExerciseState, GamedayPlan, Outcome};
pub use ids::{incident_id, slug};
pub use kind::{EventKind, Purpose, RunOutcome};
pub use marks::{ActionMark, RunMark, SilenceMark, UpdateMark};
pub use progress::{StepAt, StepMark, StepName};
pub use refs::{AlertRef, Audience, Role, RunbookRef, StepRef};
pub use words::declared_again;

use super::alert::AlertState;
use super::severity::Sev;

/// Where the incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Declared and not yet mitigated.
    Investigating,
    /// Impact stopped; cause may remain.
    Mitigated,
    /// Over.
    Resolved,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Investigating => "investigating",
            Status::Mitigated => "mitigated",
            Status::Resolved => "resolved",
        })
    }
}

/// Who did something, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub by: String,
}

/// An incident as its events say it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// Incident id.
    pub id: String,
    /// One line saying what is wrong.
    pub title: String,
    /// Current severity.
    pub severity: Sev,
    /// Current status.
    pub status: Status,
    /// The alert it was declared for.
    pub alert: AlertRef,
    /// The checklist in force: the one attached last.
    pub runbook: Option<RunbookRef>,
    /// Every runbook attached, in the order first attached (the declared one
    /// first), each as last attached.
    pub attached: Vec<RunbookRef>,
    /// Declaration time and who declared.
    pub declared: Mark,
    /// First acknowledgement.
    pub acknowledged: Option<Mark>,
    /// Nobody acknowledged: mitigating or resolving counted as it.
    pub ack_implied: bool,
    /// When the incident's own alert stopped firing, as its source
    /// reported; `None` while it fires (or fires again).
    pub alert_ended: Option<Timestamp>,
    /// First mitigation.
    pub mitigated: Option<Mark>,
    /// Latest resolution (cleared by a reopen).
    pub resolved: Option<Mark>,
    /// Latest state of each step that was ever ticked, by runbook and key.
    pub steps: BTreeMap<StepAt, StepMark>,
    /// Everyone who recorded anything.
    pub responders: BTreeSet<String>,
    /// Notes in order.
    pub notes: Vec<(Mark, String)>,
    /// Last known state of each of the incident's alerts, by fingerprint.
    pub alerts: BTreeMap<String, AlertState>,
    /// Silences created from the cockpit, by id, in creation order of ids.
    pub silences: BTreeMap<String, SilenceMark>,
    /// Current holder of each role, and when they took it.
    pub roles: BTreeMap<Role, (String, Mark)>,
    /// Status updates in order.
    pub updates: Vec<UpdateMark>,
    /// Follow-up action items in order.
    pub actions: Vec<ActionMark>,
    /// Deadlines already recorded as missed, by clock and due time.
    pub missed: BTreeSet<(super::policy::ClockKind, Timestamp)>,
    /// Every command run for each step, oldest first (one running while
    /// its `outcome` is none).
    pub runs: BTreeMap<StepAt, Vec<RunMark>>,
    /// Steps whose postcondition was confirmed, with how.
    pub verified: BTreeMap<StepAt, (Mark, String)>,
    /// Steps whose gate a responder overrode.
    pub overridden: BTreeMap<StepAt, Mark>,
    /// Ids of the events folded so far, so a fact recorded by several
    /// cockpits counts once.
    pub seen: IdSet,
    /// A drill's or game-day's state; `None` for a real incident.
    pub exercise: Option<exercise::ExerciseState>,
    /// The incident this one was merged into (declared on two hosts while
    /// the cluster was away); it is over here.
    pub merged_into: Option<String>,
}

/// Why a journal could not be folded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    #[error("the journal is empty")]
    /// No events at all.
    Empty,
    #[error("the journal does not start with a declaration")]
    /// Events exist but the first is not a declaration.
    NoDeclaration,
}

/// Events sorted by their total order ([`Event::order`]).
pub fn in_order<'e>(events: impl IntoIterator<Item = &'e Event>) -> Vec<&'e Event> {
    let mut v: Vec<&Event> = events.into_iter().collect();
    v.sort_by(|a, b| a.order(b));
    v
}

/// Where the incident's declaration is: the earliest declaration in the
/// events' total order. One journal may hold two (hosts that each declared
/// the same alert while the cluster was away); every host then starts from
/// the same one, whatever the order of its lines.
pub fn first_declaration(events: &[Event]) -> Option<usize> {
    events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e.kind, EventKind::Declared { .. }))
        .min_by(|(_, a), (_, b)| a.order(b))
        .map(|(i, _)| i)
}

impl Incident {
    /// Folds a whole journal: its declaration, then every other event in
    /// the events' total order ([`Event::order`]: when it happened, then
    /// when it was written, then its id), whatever the order of the lines —
    /// several cockpits append concurrently, and a backdated note is placed
    /// where it happened. Two events at the same moment are ordered by their
    /// ids, so every cockpit and every export agrees on which came last.
    pub fn fold(events: &[Event]) -> Result<Incident, FoldError> {
        if events.is_empty() {
            return Err(FoldError::Empty);
        }
        let at = first_declaration(events).ok_or(FoldError::NoDeclaration)?;
        let mut inc = Incident::declare(&events[at]).ok_or(FoldError::NoDeclaration)?;
        for e in in_order(
            events
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != at)
                .map(|(_, e)| e),
        ) {
            inc.apply(e);
        }
        Ok(inc)
    }

    /// The state a declaration starts, before any other event is applied.
    pub(crate) fn declare(e: &Event) -> Option<Incident> {
        let EventKind::Declared {
            id,
            title,
            severity,
            alert,
            runbook,
            exercise,
        } = &e.kind
        else {
            return None;
        };
        Some(Incident {
            id: id.clone(),
            title: title.clone(),
            severity: *severity,
            status: Status::Investigating,
            alert: alert.clone(),
            runbook: runbook.clone(),
            attached: runbook.iter().cloned().collect(),
            declared: mark(e),
            acknowledged: None,
            ack_implied: false,
            alert_ended: None,
            mitigated: None,
            resolved: None,
            steps: BTreeMap::new(),
            responders: [e.author.clone()].into(),
            notes: Vec::new(),
            // An incident declared by hand, or an exercise, has no alert of
            // its own to watch fire and resolve.
            alerts: if alert.is_manual() {
                BTreeMap::new()
            } else {
                [(alert.fingerprint.clone(), AlertState::Firing)].into()
            },
            silences: BTreeMap::new(),
            roles: BTreeMap::new(),
            updates: Vec::new(),
            actions: Vec::new(),
            missed: BTreeSet::new(),
            runs: BTreeMap::new(),
            verified: BTreeMap::new(),
            overridden: BTreeMap::new(),
            seen: {
                let mut seen = IdSet::default();
                if !e.id.is_empty() {
                    seen.insert(&e.id);
                }
                seen
            },
            exercise: exercise
                .as_deref()
                .cloned()
                .map(exercise::ExerciseState::new),
            merged_into: None,
        })
    }

    /// Applies one later event. A repeated declaration changes nothing, and
    /// neither does an event whose id was folded already.
    pub fn apply(&mut self, e: &Event) {
        if !e.id.is_empty() && !self.seen.insert(&e.id) {
            return;
        }
        if !e.kind.is_observed() && !self.responders.contains(&e.author) {
            self.responders.insert(e.author.clone());
        }
        match &e.kind {
            EventKind::Declared { .. } => {}
            EventKind::Acknowledged => {
                self.acknowledged.get_or_insert_with(|| mark(e));
            }
            EventKind::SeverityChanged { to, .. } => self.severity = *to,
            EventKind::StepDone {
                step,
                section,
                text,
                runbook,
                key,
                ..
            }
            | EventKind::StepUndone {
                step,
                section,
                text,
                runbook,
                key,
                ..
            } => {
                let at = self.place(runbook, key, step);
                let done = matches!(e.kind, EventKind::StepDone { .. });
                // A step ticked again is updated where it is: a long
                // incident ticks the same few steps many times.
                match self.steps.get_mut(&at) {
                    Some(m) => {
                        m.done = done;
                        m.mark = mark(e);
                        if m.section != *section {
                            m.section = section.clone();
                        }
                        if m.text != *text {
                            m.text = text.clone();
                        }
                    }
                    None => {
                        self.steps.insert(
                            at,
                            StepMark {
                                done,
                                mark: mark(e),
                                section: section.clone(),
                                text: text.clone(),
                            },
                        );
                    }
                }
            }
            EventKind::Note { text } => {
                // A backdated note sorts by when it happened, not when written.
                let m = Mark {
                    at: e.effective(),
                    by: e.author.clone(),
                };
                let pos = self.notes.partition_point(|(n, _)| n.at <= m.at);
                self.notes.insert(pos, (m, text.clone()));
            }
            EventKind::RoleAssigned { role, name } => {
                self.roles.insert(*role, (name.clone(), mark(e)));
            }
            EventKind::StatusUpdate { audience, text } => self.updates.push(UpdateMark {
                mark: mark(e),
                audience: *audience,
                text: text.clone(),
            }),
            EventKind::ActionItem {
                text,
                owner,
                due,
                ticket,
            } => self.actions.push(ActionMark {
                mark: mark(e),
                text: text.clone(),
                owner: owner.clone(),
                due: *due,
                ticket: ticket.clone(),
            }),
            EventKind::DeadlineMissed { clock, due } => {
                self.missed.insert((*clock, *due));
            }
            EventKind::Mitigated => {
                self.mitigated.get_or_insert_with(|| mark(e));
                // Mitigating implies someone is on it.
                self.imply_ack(e);
                if self.status == Status::Investigating {
                    self.status = Status::Mitigated;
                }
            }
            EventKind::Resolved => {
                self.resolved = Some(mark(e));
                self.imply_ack(e);
                self.status = Status::Resolved;
            }
            EventKind::Reopened => {
                self.resolved = None;
                self.status = if self.mitigated.is_some() {
                    Status::Mitigated
                } else {
                    Status::Investigating
                };
            }
            EventKind::AlertChanged {
                fingerprint, state, ..
            } => {
                self.alerts.insert(fingerprint.clone(), *state);
                if *fingerprint == self.alert.fingerprint {
                    self.alert_ended = match state {
                        AlertState::Resolved => Some(e.effective()),
                        _ => None,
                    };
                }
            }
            EventKind::SilenceCreated {
                silence_id,
                alert,
                fingerprint,
                until,
            } => {
                self.silences.insert(
                    silence_id.clone(),
                    SilenceMark {
                        created: mark(e),
                        alert: alert.clone(),
                        fingerprint: fingerprint.clone(),
                        until: *until,
                        expired: None,
                    },
                );
            }
            EventKind::SilenceExpired { silence_id } => {
                if let Some(s) = self.silences.get_mut(silence_id) {
                    s.expired.get_or_insert_with(|| mark(e));
                }
            }
            EventKind::RunbookAttached { runbook } => {
                match self.attached.iter_mut().find(|r| r.id == runbook.id) {
                    Some(slot) => *slot = runbook.clone(),
                    None => self.attached.push(runbook.clone()),
                }
                self.runbook = Some(runbook.clone());
            }
            EventKind::ClusterAction { .. } | EventKind::BranchTaken { .. } => {}
            EventKind::CommandStarted {
                step,
                command,
                purpose,
                runbook,
                key,
                original,
            } => {
                let at = self.place(runbook, key, step);
                self.runs.entry(at).or_default().push(RunMark {
                    mark: mark(e),
                    purpose: *purpose,
                    command: command.clone(),
                    original: original.clone(),
                    outcome: None,
                    duration_ms: 0,
                });
            }
            EventKind::CommandFinished {
                step,
                command,
                purpose,
                outcome,
                duration_ms,
                runbook,
                key,
                original,
                ..
            } => {
                let at = self.place(runbook, key, step);
                let runs = self.runs.entry(at).or_default();
                // The end of the run that started it; one whose start was
                // not recorded stands on its own.
                match runs
                    .iter_mut()
                    .rev()
                    .find(|r| r.outcome.is_none() && r.command == *command)
                {
                    Some(r) => {
                        r.outcome = Some(outcome.clone());
                        r.duration_ms = *duration_ms;
                    }
                    None => runs.push(RunMark {
                        mark: mark(e),
                        purpose: *purpose,
                        command: command.clone(),
                        original: original.clone(),
                        outcome: Some(outcome.clone()),
                        duration_ms: *duration_ms,
                    }),
                }
            }
            EventKind::StepVerified {
                step,
                how,
                runbook,
                key,
            } => {
                let at = self.place(runbook, key, step);
                self.verified.insert(at.clone(), (mark(e), how.clone()));
                // Verified counts as done, described as the runbook did.
                let (section, text) = self.step_words(&at, step);
                self.steps.insert(
                    at,
                    StepMark {
                        done: true,
                        mark: mark(e),
                        section,
                        text,
                    },
                );
            }
            EventKind::GateOverridden {
                step, runbook, key, ..
            } => {
                let at = self.place(runbook, key, step);
                self.overridden.insert(at, mark(e));
            }
            EventKind::Injected { .. }
            | EventKind::Recovered { .. }
            | EventKind::RpoMeasured { .. }
            | EventKind::DrillScored { .. }
            | EventKind::ExperimentStarted { .. }
            | EventKind::ExperimentEnded { .. }
            | EventKind::Evidence { .. }
            | EventKind::MetricWindow { .. }
            | EventKind::Shared { .. } => {}
            // The incident that moved is over here: it goes on as `into`.
            EventKind::Merged { into, .. } => {
                if *into != self.id {
                    self.merged_into = Some(into.clone());
                    self.resolved = Some(mark(e));
                    self.status = Status::Resolved;
                }
            }
        }
        if self.exercise.is_some() {
            let step = self.step_of(e);
            if let Some(x) = self.exercise.as_mut() {
                x.apply(e, step);
            }
        }
    }

    /// An acknowledgement nobody recorded, implied by what came after.
    fn imply_ack(&mut self, e: &Event) {
        if self.acknowledged.is_none() {
            self.acknowledged = Some(mark(e));
            self.ack_implied = true;
        }
    }

    /// The most recently created silence that is still muting at `now`.
    pub fn latest_active_silence(&self, now: Timestamp) -> Option<(&String, &SilenceMark)> {
        self.silences
            .iter()
            .filter(|(_, s)| s.active(now))
            .max_by_key(|(_, s)| s.created.at)
    }

    /// Open incidents still need attention; resolved ones do not.
    pub fn is_open(&self) -> bool {
        self.status != Status::Resolved
    }

    /// Declared → acknowledged.
    pub fn time_to_acknowledge(&self) -> Option<SignedDuration> {
        self.since_declared(self.acknowledged.as_ref())
    }

    /// Declared → mitigated.
    pub fn time_to_mitigate(&self) -> Option<SignedDuration> {
        self.since_declared(self.mitigated.as_ref())
    }

    /// Declared → resolved.
    pub fn time_to_resolve(&self) -> Option<SignedDuration> {
        self.since_declared(self.resolved.as_ref())
    }

    /// Alert started → incident declared.
    pub fn time_to_declare(&self) -> SignedDuration {
        self.declared.at.duration_since(self.alert.starts_at)
    }

    fn since_declared(&self, m: Option<&Mark>) -> Option<SignedDuration> {
        m.map(|m| m.at.duration_since(self.declared.at))
    }
}

fn mark(e: &Event) -> Mark {
    Mark {
        at: e.ts,
        by: e.author.clone(),
    }
}
