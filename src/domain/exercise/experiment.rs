//! The chaos experiment file: one fault, aimed and bounded, with the question
//! it answers. A YAML file names the hypothesis, the runbook it exercises,
//! the blast radius the responder agreed to, the Chaos Mesh object that makes
//! the fault, and the PromQL that must stay quiet before and during the run.
//!
//! Parsing collects every problem with its line, so one pass over the file
//! shows everything to fix. Unknown keys are errors: a typo in a safety bound
//! must never silently remove the bound. Checking the fault against the
//! bounds is a separate, later step ([`Experiment::check_bounds`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_yaml::Value;

mod aim;
mod bounds;
mod lines;
mod read;

pub use bounds::{API_VERSION, Check, ContextVerdict, KINDS};
use lines::shown;
use read::{Reader, Shape, describe};

/// How long the responder watches after the fault starts, when the file does
/// not say.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(600);
/// How often the abort query runs, when the file does not say.
pub const DEFAULT_POLL: Duration = Duration::from_secs(5);
/// The longest experiment name: the responder types it to start.
pub const MAX_NAME_CHARS: usize = 80;

/// A parsed, validated experiment file: everything the cockpit needs to run
/// a game-day fault safely and judge its hypothesis.
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    /// What the responder types to start it (one line); the file's stem by
    /// default.
    pub name: String,
    /// The falsifiable sentence the run confirms or refutes.
    pub hypothesis: String,
    /// The id of the runbook this fault exercises.
    pub runbook: String,
    /// What the fault may touch, agreed before it is written.
    pub blast_radius: BlastRadius,
    /// Whether it may run in a context the config marks as production.
    pub allow_production: bool,
    /// The Chaos Mesh object that makes the fault, as sent to the cluster.
    pub manifest: serde_json::Value,
    /// PromQL: the experiment fails (and the fault is removed) the moment it
    /// returns anything.
    pub abort: String,
    /// PromQL that must return nothing before the fault starts.
    pub steady_state: String,
    /// How long the responder observes after the fault starts.
    pub window: Duration,
    /// How often the abort query runs.
    pub poll: Duration,
    /// The file it was read from, for messages and the timeline.
    pub source: PathBuf,
}

/// The limits the fault must stay within, checked before anything is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlastRadius {
    /// The only namespace the fault may touch.
    pub namespace: String,
    /// The label selector every faulted pod must match (string form, already
    /// checked to parse and be non-empty).
    pub selector: String,
    /// The most pods the fault may touch at once.
    pub max_pods: u32,
    /// The longest the fault may last.
    pub max_duration: Duration,
    /// The kube contexts it may run in.
    pub contexts: Vec<String>,
}

/// One thing wrong with the file, at its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the file.
    pub line: usize,
    /// What is wrong, in words.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl Problem {
    /// `path:line: message`, the form editors and terminals jump to.
    pub fn at(&self, path: &Path) -> String {
        format!("{}:{}: {}", path.display(), self.line, self.message)
    }
}

/// Every problem as `path:line: message`, one per line.
pub fn report(path: &Path, problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| p.at(path))
        .collect::<Vec<_>>()
        .join("\n")
}

const TOP_KEYS: &[&str] = &[
    "name",
    "hypothesis",
    "runbook",
    "blast_radius",
    "allow_production",
    "manifest",
    "abort",
    "steady_state",
    "window",
    "poll",
];
const BLAST_KEYS: &[&str] = &[
    "namespace",
    "selector",
    "max_pods",
    "max_duration",
    "contexts",
];

impl Experiment {
    /// Parses and validates one experiment file; `path` names it and gives
    /// the default name. Every problem found is returned, sorted by line.
    pub fn parse(text: &str, path: &Path) -> Result<Experiment, Vec<Problem>> {
        let doc: Value = match serde_yaml::from_str(text) {
            Ok(doc) => doc,
            Err(e) => return Err(vec![syntax(&e, text)]),
        };
        let top = match doc {
            Value::Mapping(m) => m,
            other => {
                return Err(vec![Problem {
                    line: 1,
                    message: format!(
                        "the file holds {}: an experiment is a mapping with hypothesis, runbook, \
                         blast_radius, manifest, abort and steady_state",
                        describe(&other)
                    ),
                }]);
            }
        };
        let mut r = Reader {
            text,
            problems: Vec::new(),
        };
        r.unknown_keys(&top, &[], TOP_KEYS);
        let name = r.name(&top, path);
        let hypothesis = r.text(&top, &["hypothesis"], Shape::Prose);
        let runbook = r.text(&top, &["runbook"], Shape::Word);
        let blast_radius = r.blast_radius(&top);
        let allow_production = r.flag(&top, "allow_production");
        let manifest = r.manifest(&top);
        let abort = r.text(&top, &["abort"], Shape::Prose);
        let steady_state = r.text(&top, &["steady_state"], Shape::Prose);
        let window = r.duration(&top, &["window"], Some(DEFAULT_WINDOW));
        let poll = r.duration(&top, &["poll"], Some(DEFAULT_POLL));
        if let (Some(w), Some(p)) = (window, poll)
            && p > w
        {
            r.problem(
                &["poll"],
                "poll: the abort query must run more than once a window",
            );
        }
        let mut problems = r.problems;
        problems.sort_by_key(|p| p.line);
        // Every field left out was noted as a problem.
        let (
            Some(name),
            Some(hypothesis),
            Some(runbook),
            Some(blast_radius),
            Some(allow_production),
            Some(manifest),
            Some(abort),
            Some(steady_state),
            Some(window),
            Some(poll),
            true,
        ) = (
            name,
            hypothesis,
            runbook,
            blast_radius,
            allow_production,
            manifest,
            abort,
            steady_state,
            window,
            poll,
            problems.is_empty(),
        )
        else {
            return Err(problems);
        };
        Ok(Experiment {
            name,
            hypothesis,
            runbook,
            blast_radius,
            allow_production,
            manifest,
            abort,
            steady_state,
            window,
            poll,
            source: path.to_path_buf(),
        })
    }

    /// Reads and parses the file at `path`. The error holds every problem,
    /// one per line, as `path:line: message`. The only function here that
    /// touches the disk: a thin shell around [`Experiment::parse`].
    pub fn load(path: &Path) -> Result<Experiment, String> {
        let text = crate::bounded::read_to_string(path, crate::bounded::DOCUMENT_BYTES)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Experiment::parse(&text, path).map_err(|problems| report(path, &problems))
    }

    /// The manifest's `kind` (`PodChaos`, …), or "" when it has none.
    pub fn fault_kind(&self) -> &str {
        self.manifest
            .get("kind")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
    }

    /// The manifest's `metadata.name`: what warroom deletes to end the fault.
    pub fn fault_name(&self) -> Option<&str> {
        self.manifest
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(serde_json::Value::as_str)
    }

    /// The manifest's `spec.duration`, read as Chaos Mesh reads it (a Go
    /// duration); `None` when it is absent or unreadable.
    pub fn fault_duration(&self) -> Option<Duration> {
        self.manifest
            .get("spec")
            .and_then(|s| s.get("duration"))
            .and_then(serde_json::Value::as_str)
            .and_then(|d| bounds::go_duration(d).ok())
    }
}

/// A YAML syntax error at its line, without serde_yaml's own "at line N"
/// (the line is already in front).
fn syntax(e: &serde_yaml::Error, text: &str) -> Problem {
    let mut message = lines::inert(&e.to_string());
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    // A duplicate key is reported without its position: look for it.
    let duplicate = || {
        let (_, key) = message.split_once("duplicate entry with key \"")?;
        let key = key.strip_suffix('"')?;
        lines::second_key_line(text, key)
    };
    let last = text.lines().count().max(1);
    let line = duplicate()
        .or(e.location().map(|l| l.line().min(last)))
        .unwrap_or(1);
    Problem {
        line,
        message: format!("not valid YAML: {message}"),
    }
}

#[cfg(test)]
mod tests;
