//! Progress on runbook steps, kept per runbook and per step key: ticks,
//! runs, verifications and gate overrides of one runbook never show on
//! another's steps, and a step keeps its progress when the file around it is
//! edited (its key comes from its section and text, not its position).
//!
//! Journals written before keys name a step only by its positional id
//! (`check-2`) and the runbook in force at the time; that progress is kept
//! under `id:<step id>` and found through the step that has that id now.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::{Event, EventKind, Incident, Mark, RunMark, RunbookRef};
use crate::domain::runbook::Step;

/// Where a step's progress is kept: its runbook and its stable key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StepAt {
    /// Runbook id.
    pub runbook: String,
    /// The step's stable key, or `id:<step id>` for older journals.
    pub key: String,
}

impl StepAt {
    /// The place of a step of `runbook`.
    pub fn of(runbook: &str, step: &Step) -> StepAt {
        StepAt {
            runbook: runbook.to_string(),
            key: step.key.clone(),
        }
    }

    /// Where an older journal's progress on step `id` is kept.
    fn legacy(runbook: &str, id: &str) -> StepAt {
        StepAt {
            runbook: runbook.to_string(),
            key: format!("id:{id}"),
        }
    }
}

/// The state of a checklist step after the fold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepMark {
    /// Done after the latest tick or untick.
    pub done: bool,
    /// Who last changed it, and when.
    pub mark: Mark,
    /// Its section heading as recorded, for a step no longer in the file.
    pub section: String,
    /// Its text as recorded.
    pub text: String,
}

/// A step as its progress is looked up: its id and, when known, its key.
#[derive(Debug, Clone, Copy)]
pub struct StepName<'a> {
    /// Positional or explicit id.
    pub id: &'a str,
    /// Stable key; `None` for a step frozen by an older version.
    pub key: Option<&'a str>,
}

impl<'a> From<&'a Step> for StepName<'a> {
    fn from(s: &'a Step) -> Self {
        StepName {
            id: &s.id,
            key: Some(&s.key),
        }
    }
}

impl<'a> From<&'a super::StepRef> for StepName<'a> {
    fn from(s: &'a super::StepRef) -> Self {
        StepName {
            id: &s.id,
            key: s.key.as_deref(),
        }
    }
}

/// The entry for a step: by its key, or by its id in an older journal,
/// whichever was recorded last.
fn lookup<'m, T>(
    map: &'m BTreeMap<StepAt, T>,
    runbook: &str,
    step: StepName<'_>,
    when: impl Fn(&T) -> Timestamp,
) -> Option<&'m T> {
    let by_key = step.key.and_then(|k| {
        map.get(&StepAt {
            runbook: runbook.to_string(),
            key: k.to_string(),
        })
    });
    let by_id = map.get(&StepAt::legacy(runbook, step.id));
    match (by_key, by_id) {
        (Some(a), Some(b)) if when(b) > when(a) => Some(b),
        (Some(a), _) => Some(a),
        (None, b) => b,
    }
}

impl Incident {
    /// Where an event's step progress goes: the runbook and key it names,
    /// or (an older journal) the runbook in force and the step's id.
    pub(super) fn place(
        &self,
        runbook: &Option<String>,
        key: &Option<String>,
        step: &str,
    ) -> StepAt {
        let runbook = runbook
            .clone()
            .or_else(|| self.runbook.as_ref().map(|r| r.id.clone()))
            .unwrap_or_default();
        match key {
            Some(k) => StepAt {
                runbook,
                key: k.clone(),
            },
            None => StepAt::legacy(&runbook, step),
        }
    }

    /// Where a step event is kept and how the step reads, for the
    /// exercise clocks.
    pub(super) fn step_of(&self, e: &Event) -> Option<(StepAt, String)> {
        let (runbook, key, step) = match &e.kind {
            EventKind::StepDone {
                runbook, key, step, ..
            }
            | EventKind::StepVerified {
                runbook, key, step, ..
            }
            | EventKind::CommandStarted {
                runbook, key, step, ..
            }
            | EventKind::CommandFinished {
                runbook, key, step, ..
            } => (runbook, key, step),
            _ => return None,
        };
        let at = self.place(runbook, key, step);
        let (section, text) = self.step_words(&at, step);
        let words = match section.as_str() {
            "" => text,
            s => format!("[{s}] {text}"),
        };
        Some((at, words))
    }

    /// A step's section and text: as an earlier tick recorded them, else as
    /// the attached runbook lists it, else its id.
    pub(super) fn step_words(&self, at: &StepAt, id: &str) -> (String, String) {
        if let Some(m) = self.steps.get(at) {
            return (m.section.clone(), m.text.clone());
        }
        self.attached_runbook(&at.runbook)
            .and_then(|r| {
                r.steps.iter().find(|s| {
                    s.key.as_deref() == Some(at.key.as_str())
                        || at.key.strip_prefix("id:") == Some(s.id.as_str())
                })
            })
            .map_or_else(
                || (String::new(), id.to_string()),
                |s| (s.section.clone(), s.text.clone()),
            )
    }

    /// The latest tick or untick of a step of `runbook`.
    pub fn step_mark<'s>(&self, runbook: &str, step: impl Into<StepName<'s>>) -> Option<&StepMark> {
        lookup(&self.steps, runbook, step.into(), |m| m.mark.at)
    }

    /// Who ticked a step of `runbook` and when, if it is done now.
    pub fn step_done<'s>(&self, runbook: &str, step: impl Into<StepName<'s>>) -> Option<&Mark> {
        self.step_mark(runbook, step)
            .filter(|m| m.done)
            .map(|m| &m.mark)
    }

    /// The latest command run for a step of `runbook`.
    pub fn step_run<'s>(&self, runbook: &str, step: impl Into<StepName<'s>>) -> Option<&RunMark> {
        self.step_runs(runbook, step).into_iter().last()
    }

    /// Every command run for a step of `runbook`, oldest first: those
    /// recorded by its key and, from older journals, by its id.
    pub fn step_runs<'s>(&self, runbook: &str, step: impl Into<StepName<'s>>) -> Vec<&RunMark> {
        let step = step.into();
        let mut all: Vec<&RunMark> = Vec::new();
        if let Some(k) = step.key {
            let at = StepAt {
                runbook: runbook.to_string(),
                key: k.to_string(),
            };
            all.extend(self.runs.get(&at).into_iter().flatten());
        }
        all.extend(
            self.runs
                .get(&StepAt::legacy(runbook, step.id))
                .into_iter()
                .flatten(),
        );
        all.sort_by_key(|r| r.mark.at);
        all
    }

    /// How a step of `runbook` was verified, if it was.
    pub fn step_verified<'s>(
        &self,
        runbook: &str,
        step: impl Into<StepName<'s>>,
    ) -> Option<&(Mark, String)> {
        lookup(&self.verified, runbook, step.into(), |(m, _)| m.at)
    }

    /// Whether a responder overrode the gate of a step of `runbook`.
    pub fn step_overridden<'s>(
        &self,
        runbook: &str,
        step: impl Into<StepName<'s>>,
    ) -> Option<&Mark> {
        lookup(&self.overridden, runbook, step.into(), |m| m.at)
    }

    /// Steps of `runbook` done (and still done) that none of `steps` is: the
    /// file was edited since, or the step was ticked in a version not
    /// attached. Their ticks stay in the record; this says they are gone.
    pub fn gone_steps(&self, runbook: &str, steps: &[StepName<'_>]) -> Vec<(&StepAt, &StepMark)> {
        self.steps
            .iter()
            .filter(|(at, m)| at.runbook == runbook && m.done)
            .filter(|(at, _)| {
                !steps.iter().any(|s| {
                    s.key == Some(at.key.as_str()) || at.key.strip_prefix("id:") == Some(s.id)
                })
            })
            .collect()
    }

    /// An attached runbook by id.
    pub fn attached_runbook(&self, id: &str) -> Option<&RunbookRef> {
        self.attached.iter().find(|r| r.id == id)
    }
}
