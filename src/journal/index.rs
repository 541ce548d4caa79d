//! A small index beside the journals: one summary per incident (what `list`
//! prints, what start-up needs to join or offer an incident and to know
//! when each runbook was last used), each kept with the size and
//! modification time of the journal it was read from. Only journals that
//! changed since are read again, so a data dir of a thousand incidents
//! lists in the time it takes to read one file. It is a cache: missing,
//! damaged or from another version, it is rebuilt from the journals.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::{Ordered, Store};
use crate::domain::incident::{Incident, Status};
use crate::domain::severity::Sev;

/// The index file's name in the incidents folder (hidden: not a journal).
const FILE: &str = ".index.json";

/// This layout of the index; another one is rebuilt.
const VERSION: u32 = 3;

/// What is known of one incident without reading its journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The incident id.
    pub id: String,
    /// Severity now.
    pub severity: Sev,
    /// Where it stands.
    pub status: Status,
    /// What was wrong.
    pub title: String,
    /// When it was declared.
    pub declared: Timestamp,
    /// When it was acknowledged, mitigated, resolved.
    pub acknowledged: Option<Timestamp>,
    /// See `acknowledged`.
    pub mitigated: Option<Timestamp>,
    /// See `acknowledged`.
    pub resolved: Option<Timestamp>,
    /// The alert it was declared for.
    pub alert: String,
    /// That alert's fingerprint.
    pub fingerprint: String,
    /// The runbook in force, if any.
    pub runbook: Option<String>,
    /// What reading the journal had to skip.
    pub warnings: Vec<String>,
    /// A drill's or game-day's kind, targets and score; `None` for a real
    /// incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exercise: Option<ExerciseSummary>,
}

/// What `list`, lint and the next drill need of an exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseSummary {
    /// `drill` or `gameday`.
    pub kind: String,
    /// The runbook exercised.
    pub runbook: String,
    /// A drill's targets as frozen when it began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<crate::domain::exercise::drill::DrillTargets>,
    /// A drill's score, once it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<crate::domain::exercise::drill::PastDrill>,
    /// A game-day's outcome, once it ended (`held`, `aborted`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Whether it was run: a drill's fault injected, a game-day's applied.
    /// Only then does it count as its runbook exercised.
    #[serde(default)]
    pub ran: bool,
    /// Alert names the exercise claims while it is open.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<String>,
}

impl ExerciseSummary {
    fn of(inc: &Incident) -> Option<ExerciseSummary> {
        let x = inc.exercise.as_ref()?;
        Some(ExerciseSummary {
            kind: x.plan.kind().to_string(),
            runbook: x.plan.runbook().to_string(),
            targets: x.plan.targets().cloned(),
            score: x
                .score
                .as_ref()
                .map(|s| s.as_past(&inc.id, inc.declared.at)),
            alerts: x.plan.claimed().to_vec(),
            ran: x.injected.is_some() || x.started.is_some(),
            outcome: x.ended.as_ref().map(|e| {
                serde_json::to_value(e.outcome)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            }),
        })
    }
}

impl Summary {
    fn of(inc: &Incident, warnings: Vec<String>) -> Summary {
        Summary {
            id: inc.id.clone(),
            severity: inc.severity,
            status: inc.status,
            title: inc.title.clone(),
            declared: inc.declared.at,
            acknowledged: inc.acknowledged.as_ref().map(|m| m.at),
            mitigated: inc.mitigated.as_ref().map(|m| m.at),
            resolved: inc.resolved.as_ref().map(|m| m.at),
            alert: inc.alert.name.clone(),
            fingerprint: inc.alert.fingerprint.clone(),
            runbook: inc.runbook.as_ref().map(|r| r.id.clone()),
            warnings,
            exercise: ExerciseSummary::of(inc),
        }
    }

    /// Not resolved.
    pub fn is_open(&self) -> bool {
        self.status != Status::Resolved
    }

    fn since(&self, t: Option<Timestamp>) -> Option<SignedDuration> {
        t.map(|t| t.duration_since(self.declared))
    }

    /// Declared → acknowledged.
    pub fn time_to_acknowledge(&self) -> Option<SignedDuration> {
        self.since(self.acknowledged)
    }

    /// Declared → mitigated.
    pub fn time_to_mitigate(&self) -> Option<SignedDuration> {
        self.since(self.mitigated)
    }

    /// Declared → resolved.
    pub fn time_to_resolve(&self) -> Option<SignedDuration> {
        self.since(self.resolved)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    version: u32,
    entries: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    size: u64,
    mtime_ns: i128,
    summary: Summary,
}

fn stamp(meta: &fs::Metadata) -> (u64, i128) {
    let ns = i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
    (meta.len(), ns)
}

fn read(dir: &Path) -> Index {
    let path = dir.join(FILE);
    crate::bounded::read_to_string(&path, crate::bounded::DOCUMENT_BYTES * 8)
        .ok()
        .and_then(|t| serde_json::from_str::<Index>(&t).ok())
        .filter(|i| i.version == VERSION)
        .unwrap_or_default()
}

impl Store {
    /// Every incident that folds, oldest first, read from the index where
    /// its journal has not changed; plus warnings for journals that do not
    /// fold and for lines skipped. The index is brought up to date.
    pub fn summaries(&self) -> io::Result<(Vec<Summary>, Vec<String>)> {
        let entries = match fs::read_dir(self.dir()) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
            Err(e) => return Err(super::with_path(e, self.dir())),
        };
        let old = read(self.dir());
        let mut new = Index {
            version: VERSION,
            entries: BTreeMap::new(),
        };
        let mut changed = false;
        let mut warnings = Vec::new();
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            let Some(id) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".jsonl"))
                .map(str::to_string)
            else {
                continue;
            };
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            let (size, mtime_ns) = stamp(&meta);
            if let Some(e) = old.entries.get(&id)
                && e.size == size
                && e.mtime_ns == mtime_ns
            {
                warnings.extend(e.summary.warnings.iter().cloned());
                new.entries.insert(id, e.clone());
                continue;
            }
            changed = true;
            // Read one event at a time: a 100,000-event journal is not
            // held to be summed up.
            match self.ordered(&id).and_then(Ordered::fold) {
                Ok((folded, read_warnings)) => match folded {
                    Ok(inc) => {
                        warnings.extend(read_warnings.iter().cloned());
                        let summary = Summary::of(&inc, read_warnings);
                        new.entries.insert(
                            id,
                            Entry {
                                size,
                                mtime_ns,
                                summary,
                            },
                        );
                    }
                    Err(e) => warnings.push(format!("{}: {e}", path.display())),
                },
                Err(e) => warnings.push(e.to_string()),
            }
        }
        changed |= old.entries.len() != new.entries.len();
        if changed {
            // A cache: failing to write it loses nothing.
            if let Ok(text) = serde_json::to_string(&new) {
                let tmp = self.dir().join(format!("{FILE}.{}", std::process::id()));
                if self.perms().write(&tmp, text.as_bytes()).is_ok() {
                    let _ = fs::rename(&tmp, self.dir().join(FILE));
                } else {
                    let _ = fs::remove_file(&tmp);
                }
            }
        }
        let mut all: Vec<Summary> = new.entries.into_values().map(|e| e.summary).collect();
        all.sort_by(|a, b| a.declared.cmp(&b.declared).then(a.id.cmp(&b.id)));
        Ok((all, warnings))
    }
}

/// The history of runbook use a set of summaries gives: when each
/// runbook was last exercised, and each runbook's drills.
pub fn history(summaries: &[Summary]) -> crate::domain::exercise::History {
    use crate::domain::exercise::{DrillRecord, History};
    let mut h = History::default();
    for i in summaries {
        // A drill declared and left, or a game-day never applied, did not
        // exercise anything.
        let idle = i.exercise.as_ref().is_some_and(|x| !x.ran);
        let runbooks = i
            .runbook
            .iter()
            .chain(i.exercise.as_ref().map(|x| &x.runbook))
            .filter(|_| !idle);
        for rb in runbooks {
            let e = h.used.entry(rb.clone()).or_insert(i.declared);
            *e = (*e).max(i.declared);
        }
        if let Some(x) = i.exercise.as_ref().filter(|_| i.is_open()) {
            h.open_exercises
                .push(crate::domain::exercise::OpenExercise {
                    kind: x.kind.clone(),
                    id: i.id.clone(),
                    alerts: x.alerts.clone(),
                    since: i.declared,
                });
        }
        if let Some(x) = i.exercise.as_ref().filter(|x| x.kind == "drill") {
            h.drills
                .entry(x.runbook.clone())
                .or_default()
                .push(DrillRecord {
                    id: i.id.clone(),
                    at: i.declared,
                    targets: x.targets.clone(),
                    score: x.score.clone(),
                });
        }
    }
    for v in h.drills.values_mut() {
        v.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::EventKind;
    use crate::domain::incident::tests::{declared, ev};

    #[test]
    fn unchanged_journals_are_not_read_again_and_changes_are_seen() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::new(dir.path());
        let d = store
            .declare_or_join(&ev("03:00:00", "a", declared()))
            .expect("declare");
        let (first, _) = store.summaries().expect("list");
        assert_eq!(first.len(), 1);
        assert!(first[0].is_open());
        assert!(store.dir().join(FILE).exists(), "the index is written");
        // Damage the journal's content behind the index's back, keeping its
        // size and time: the index answers (it was not read again).
        let path = store.path(d.id()).expect("path");
        let meta = fs::metadata(&path).expect("meta");
        let text = fs::read_to_string(&path).expect("read");
        fs::write(&path, text.replace("catalog", "CATALOG")).expect("write");
        let times = fs::FileTimes::new().set_modified(meta.modified().expect("mtime"));
        fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_times(times))
            .expect("times");
        let (again, _) = store.summaries().expect("list");
        assert_eq!(again, first);
        // A real change (an append) is seen.
        store
            .append(d.id(), &ev("03:09:00", "a", EventKind::Resolved))
            .expect("append");
        let (after, _) = store.summaries().expect("list");
        assert!(!after[0].is_open());
        // A damaged index is rebuilt.
        fs::write(store.dir().join(FILE), "{not json").expect("write");
        let (rebuilt, _) = store.summaries().expect("list");
        assert_eq!(rebuilt, after);
    }
}
