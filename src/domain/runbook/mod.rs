//! Runbooks: markdown files with optional YAML front matter, parsed with
//! pulldown-cmark into sections and checklist steps.

use std::fmt;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

mod markdown;
mod parse;
#[cfg(test)]
mod tests;

pub use parse::parse;

use super::alert::Alert;
use super::contract::{self, Branch, Contract, Target};

/// Machine-readable facts at the top of a runbook, between `---` lines.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct FrontMatter {
    /// Stable name; defaults to the file name.
    pub id: Option<String>,
    /// Display title; defaults to the first `#` heading.
    pub title: Option<String>,
    /// Alert names this runbook answers.
    #[serde(default)]
    pub alerts: Vec<String>,
    /// Severity label of the alerts it covers, as documentation.
    pub severity: Option<String>,
    /// Service the runbook is about.
    pub service: Option<String>,
    /// Kubernetes namespace of the pods involved (placeholders allowed).
    pub namespace: Option<String>,
    /// Kubernetes label selector for the pods involved.
    pub selector: Option<String>,
    /// PromQL for the Metrics pane.
    pub query: Option<String>,
    /// Value drawn as a line on the chart: above it is bad.
    pub threshold: Option<f64>,
    /// What the query's values measure (`seconds`, `ratio`, `percent`,
    /// `bytes`, `none`), so the chart writes `500 ms` or `43.7 %`; without
    /// it the unit is guessed from the query's metric names.
    #[serde(default, deserialize_with = "scalar_text")]
    pub unit: Option<String>,
    /// When the runbook was last tried for real or in a drill.
    pub last_exercised: Option<Date>,
    /// A drill runbook's targets (`{rto: 30m, rpo: 5m, …}`), read leniently
    /// so a mistake opens the runbook and lint explains it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<serde_yaml::Value>,
    /// Label names its placeholders may use beyond the common ones (for lint).
    #[serde(default)]
    pub labels: Vec<String>,
    /// The shell its commands are written for (default `/bin/sh`). Values are
    /// quoted the POSIX way, which bash, zsh and dash read alike.
    pub shell: Option<String>,
    /// Keys warroom does not use (a docs site's `weight:`, or a typo); kept
    /// so the runbook still opens, and reported by lint.
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<String, serde_yaml::Value>,
}

/// A front-matter value read as text whatever scalar it is: `unit` is a
/// common word, and another tool's `unit: 3` must not stop the runbook
/// opening; lint says what is wrong with it instead.
fn scalar_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde_yaml::Value;
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        Some(Value::Sequence(_)) => Some("a list".to_string()),
        Some(Value::Mapping(_)) => Some("a mapping".to_string()),
        Some(Value::Tagged(t)) => Some(format!("{}", t.tag)),
    })
}

/// The front-matter keys warroom reads.
pub const FRONT_MATTER_KEYS: &[&str] = &[
    "id",
    "title",
    "alerts",
    "severity",
    "service",
    "namespace",
    "selector",
    "query",
    "threshold",
    "unit",
    "shell",
    "last_exercised",
    "labels",
    "drill",
];

/// The role a section plays in the response. Other headings keep their prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SectionKind {
    /// What fired and why it matters.
    Alert,
    /// Fast checks: is it real?
    Check,
    /// Ordered investigation.
    Diagnose,
    /// What stops the bleeding.
    Mitigate,
    /// How to confirm the fix held.
    Verify,
    /// Follow-up after the incident.
    Postmortem,
    /// Any other heading, kept as text.
    Other,
}

impl SectionKind {
    /// The role of a heading in a runbook of `dialect`: another team's
    /// Meaning and Impact are what fired (Alert), Diagnosis and Mitigation
    /// its Diagnose and Mitigate.
    pub fn from_heading_in(heading: &str, dialect: Dialect) -> SectionKind {
        let kind = SectionKind::from_heading(heading);
        let h = heading.trim().to_ascii_lowercase();
        if dialect == Dialect::Foreign && kind == SectionKind::Other && h.starts_with("impact") {
            SectionKind::Alert
        } else {
            kind
        }
    }

    /// Recognises the five standard headings and the common variants real
    /// runbooks use (Meaning, Diagnosis, Mitigation, Remediation, ...).
    pub fn from_heading(heading: &str) -> SectionKind {
        let h: String = heading
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c.is_whitespace())
            .to_ascii_lowercase();
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| h.starts_with(p));
        if starts(&["alert", "meaning", "overview", "what fired"]) {
            SectionKind::Alert
        } else if starts(&["check", "triage", "quick check", "is it real", "confirm"]) {
            SectionKind::Check
        } else if starts(&["diagnos", "investigat", "troubleshoot"]) {
            SectionKind::Diagnose
        } else if starts(&["mitigat", "remediat", "fix", "resolution", "recover"]) {
            SectionKind::Mitigate
        } else if starts(&["verif", "validat"]) {
            SectionKind::Verify
        } else if starts(&["postmortem", "post-mortem", "post mortem", "follow"]) {
            SectionKind::Postmortem
        } else {
            SectionKind::Other
        }
    }

    /// Only these sections hold checklist steps.
    pub fn has_steps(self) -> bool {
        matches!(
            self,
            SectionKind::Check
                | SectionKind::Diagnose
                | SectionKind::Mitigate
                | SectionKind::Verify
        )
    }

    pub(crate) fn slug(self) -> &'static str {
        match self {
            SectionKind::Alert => "alert",
            SectionKind::Check => "check",
            SectionKind::Diagnose => "diagnose",
            SectionKind::Mitigate => "mitigate",
            SectionKind::Verify => "verify",
            SectionKind::Postmortem => "postmortem",
            SectionKind::Other => "other",
        }
    }
}

/// Which way a runbook is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dialect {
    /// warroom's own five sections (Alert, Check, Diagnose, Mitigate,
    /// Postmortem), front matter and contracts: read and linted strictly.
    Warroom,
    /// Another team's (Meaning / Impact / Diagnosis / Mitigation, a docs
    /// site's front matter): mapped onto warroom's sections and linted for
    /// real faults only.
    Foreign,
}

/// What a code block is for, by its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRole {
    /// Shell (`sh`, `bash`, `shell`, unlabelled): a command.
    Command,
    /// PromQL: a query for Prometheus, never for a shell.
    Query,
    /// Anything else (`txt`, `yaml`, `json`, output): shown as it is.
    Example,
}

/// One piece of the document, in file order, for drawing it faithfully.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading: level 2 starts a section, deeper ones stay inside it.
    Heading {
        /// 2 to 5.
        level: u8,
        /// As written.
        text: String,
        /// 1-based line.
        line: usize,
    },
    /// A paragraph; inline code between backticks, links as `text <url>`.
    Paragraph {
        /// The text.
        text: String,
        /// 1-based line.
        line: usize,
    },
    /// A list item that is not a step, at its depth (1 is the top).
    Item {
        /// Nesting depth.
        depth: usize,
        /// `•`, `3.`, or empty for a continuation paragraph.
        marker: String,
        /// The text.
        text: String,
        /// 1-based line.
        line: usize,
    },
    /// A checklist step: its index in [`Runbook::steps`] order.
    Step(usize),
    /// A code block that is not part of a step, verbatim.
    Code {
        /// The fence's language.
        lang: String,
        /// The code.
        text: String,
        /// What it is for.
        role: CodeRole,
        /// 1-based line of the fence.
        line: usize,
    },
    /// A table, cells as text.
    Table {
        /// Rows, header first.
        rows: Vec<Vec<String>>,
        /// 1-based line.
        line: usize,
    },
    /// A quoted paragraph.
    Quote {
        /// The text.
        text: String,
        /// 1-based line.
        line: usize,
    },
    /// `<details>`: its summary; the blocks up to the next
    /// [`Block::DetailsEnd`] are its body.
    Details {
        /// The summary line.
        summary: String,
        /// 1-based line.
        line: usize,
    },
    /// The end of a details body.
    DetailsEnd,
}

/// One checklist item.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Stable within the runbook (`check-1`, `mitigate-2`, or a contract's
    /// `id:`): what `requires:`, "go to step N" and typed confirmations use.
    pub id: String,
    /// A key that survives edits elsewhere in the file (from its section
    /// and text, with a number for repeated text): what ticks and runs are
    /// recorded against.
    pub key: String,
    /// The item's first paragraph; inline code is kept between backticks.
    pub text: String,
    /// Further paragraphs and nested items.
    pub details: Vec<String>,
    /// Shell commands from inline code and fenced blocks.
    pub commands: Vec<String>,
    /// PromQL queries from `promql` blocks: run against Prometheus, never a shell.
    pub queries: Vec<String>,
    /// 1-based line in the file.
    pub line: usize,
    /// The step's contract, when it has one that parsed.
    pub contract: Option<Contract>,
    /// Why its contract block could not be read: line and message. Such a step
    /// is never run, as its gates and dangers are unknown.
    pub contract_error: Option<(usize, String)>,
    /// "go to step N" phrases and links to steps, in order.
    pub branches: Vec<Branch>,
}

impl Step {
    /// Whether running the step changes something: its contract says so, or
    /// (when it does not) it is dangerous, has a rollback, or a command looks
    /// like a change.
    pub fn is_mutating(&self) -> bool {
        let c = self.contract.as_ref();
        c.and_then(|c| c.mutating).unwrap_or_else(|| {
            c.is_some_and(|c| c.danger || c.rollback.is_some())
                || self
                    .commands
                    .iter()
                    .any(|cmd| contract::looks_mutating(cmd))
        })
    }

    /// Steps that must be done first.
    pub fn requires(&self) -> &[String] {
        self.contract
            .as_ref()
            .map_or(&[], |c| c.requires.as_slice())
    }

    /// Whether running it needs the id or resource typed.
    pub fn is_dangerous(&self) -> bool {
        self.contract.as_ref().is_some_and(|c| c.danger)
    }

    /// Whether, in a drill, ticking or running it injects the fault.
    pub fn injects(&self) -> bool {
        self.contract.as_ref().is_some_and(|c| c.inject)
    }
}

/// A heading and what follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The role of the section.
    pub kind: SectionKind,
    /// The heading as written.
    pub heading: String,
    /// 1-based line of the heading.
    pub line: usize,
    /// Paragraphs that are not steps, in order.
    pub prose: Vec<String>,
    /// Checklist items, in order.
    pub steps: Vec<Step>,
}

/// A parsed runbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Runbook {
    /// Stable name (front matter `id`, else the file name).
    pub id: String,
    /// Display title.
    pub title: String,
    /// Where it was read from.
    pub path: PathBuf,
    /// The front matter.
    pub meta: FrontMatter,
    /// warroom's own format or another team's.
    pub dialect: Dialect,
    /// Paragraphs before the first section heading.
    pub intro: Vec<String>,
    /// The sections, in file order.
    pub sections: Vec<Section>,
    /// The whole document, in file order.
    pub blocks: Vec<Block>,
    /// The line of a code fence that is never closed.
    pub unclosed_fence: Option<usize>,
    /// The line of each top-level front-matter key (`alerts:` is where a
    /// claim is made).
    pub front_lines: std::collections::BTreeMap<String, usize>,
    /// The file's last line.
    pub end_line: usize,
    /// A short fingerprint of the file's text: which version of the
    /// runbook a step was done in.
    pub version: String,
    /// Links to other documents of the tree, with their lines.
    pub links: Vec<(usize, String)>,
}

/// A runbook that could not be read, with where and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RunbookError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line of the problem (0 when the file could not be read at all).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RunbookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

impl std::error::Error for RunbookError {}

impl Runbook {
    /// Steps in document order with the section each belongs to.
    pub fn steps(&self) -> impl Iterator<Item = (&Section, &Step)> {
        self.sections
            .iter()
            .flat_map(|s| s.steps.iter().map(move |st| (s, st)))
    }

    /// A drill runbook's targets; `None` when it is not one, the problems
    /// when its `drill:` is wrong.
    pub fn drill_targets(
        &self,
    ) -> Option<Result<crate::domain::exercise::drill::DrillTargets, Vec<String>>> {
        self.meta
            .drill
            .as_ref()
            .map(crate::domain::exercise::drill::DrillTargets::from_front)
    }

    /// Shipped inside the binary rather than read from a folder.
    pub fn is_built_in(&self) -> bool {
        self.path.starts_with(BUILT_IN)
    }

    /// A step by id, with its section.
    pub fn step(&self, id: &str) -> Option<(&Section, &Step)> {
        self.steps().find(|(_, s)| s.id == id)
    }

    /// A step by its stable key, with its section.
    pub fn step_by_key(&self, key: &str) -> Option<(&Section, &Step)> {
        self.steps().find(|(_, s)| s.key == key)
    }

    /// Position of a step in document order (the pane's cursor).
    pub fn position(&self, id: &str) -> Option<usize> {
        self.steps().position(|(_, s)| s.id == id)
    }

    /// Where a branch of `from` leads: "step N" counts in `from`'s section; an
    /// id names a step, or a section heading's anchor leads to its first step.
    pub fn branch_target(&self, from: &Step, target: &Target) -> Option<&Step> {
        match target {
            Target::Number(n) => {
                let section = self
                    .sections
                    .iter()
                    .find(|s| s.steps.iter().any(|st| st.id == from.id))?;
                section.steps.get(n.checked_sub(1)?)
            }
            Target::Id(id) => self.step(id).map(|(_, s)| s).or_else(|| {
                self.sections
                    .iter()
                    .find(|s| contract::anchor(&s.heading) == id.to_lowercase())
                    .and_then(|s| s.steps.first())
            }),
        }
    }

    /// Whether this runbook answers the alert: listed in `alerts:`, or named like
    /// the alert (file name or id, ignoring case).
    pub fn covers(&self, alert: &Alert) -> bool {
        let name = alert.name();
        self.meta
            .alerts
            .iter()
            .any(|a| a.eq_ignore_ascii_case(name))
            || self.id.eq_ignore_ascii_case(name)
            || self
                .path
                .file_stem()
                .and_then(|s| s.to_str())
                .is_some_and(|s| s.eq_ignore_ascii_case(name))
    }
}

/// The pseudo-folder naming built-in runbooks.
pub const BUILT_IN: &str = "(built in)";

/// Every runbook found, plus the files that could not be read.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// Runbooks that parsed, in folder then file-name order.
    pub runbooks: Vec<Runbook>,
    /// Files that did not, with why.
    pub errors: Vec<RunbookError>,
    /// Where they came from, for saying so at start.
    pub origins: Vec<Origin>,
}

/// A folder or file runbooks were read from, and what it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// As named in the config or on the command line.
    pub root: PathBuf,
    /// Runbooks read from it.
    pub runbooks: usize,
    /// Files under it that could not be read.
    pub failed: usize,
    /// Why it gave nothing at all (missing, unreadable), if so.
    pub problem: Option<String>,
}

impl Library {
    /// One line on what was loaded from where, for the message line at start
    /// and lint: `12 runbooks from ./runbooks, 13 built in; 1 could not be read`.
    /// `quiet` says which roots may be missing without a word (the default
    /// folders); any other root that gave nothing is named.
    pub fn summary(&self, quiet: impl Fn(&Path) -> bool) -> (String, bool) {
        let mut parts: Vec<String> = self
            .origins
            .iter()
            .filter(|o| o.runbooks > 0)
            .map(|o| format!("{} from {}", o.runbooks, o.root.display()))
            .collect();
        let built_in = self.runbooks.iter().filter(|r| r.is_built_in()).count();
        if built_in > 0 {
            parts.push(format!("{built_in} built in"));
        }
        let mut text = if parts.is_empty() {
            "no runbooks".to_string()
        } else {
            format!("runbooks: {}", parts.join(", "))
        };
        let mut bad = false;
        for o in &self.origins {
            if o.runbooks > 0 || o.failed > 0 || quiet(&o.root) {
                continue;
            }
            bad = true;
            let why = o.problem.as_deref().unwrap_or("no runbook files in it");
            text.push_str(&format!("; {}: {why}", o.root.display()));
        }
        if let Some(first) = self.errors.first() {
            bad = true;
            text.push_str(&format!(
                "; {} could not be read (first: {first})",
                self.errors.len()
            ));
        }
        (text, bad)
    }
}

impl Library {
    /// The runbook for an alert: the one its `runbook_url` annotation names
    /// (last path segment against file names and ids), then `alerts:` lists,
    /// then a runbook named like the alert.
    /// Runbooks from the team's folders answer before the built-in ones, so
    /// a folder's `KubePodCrashLooping.md` wins over a built-in that lists it.
    pub fn for_alert(&self, alert: &Alert) -> Option<&Runbook> {
        let name = alert.name();
        let by_list = |r: &&Runbook| r.meta.alerts.iter().any(|a| a.eq_ignore_ascii_case(name));
        let by_name = |r: &&Runbook| r.covers(alert);
        let (folder, built_in): (Vec<&Runbook>, Vec<&Runbook>) =
            self.runbooks.iter().partition(|r| !r.is_built_in());
        alert
            .runbook_slug()
            .and_then(|slug| self.get(&slug))
            .or_else(|| folder.iter().copied().find(by_list))
            .or_else(|| folder.iter().copied().find(by_name))
            .or_else(|| built_in.iter().copied().find(by_list))
            .or_else(|| built_in.iter().copied().find(by_name))
    }

    /// A runbook by id or file name, ignoring case.
    pub fn get(&self, name: &str) -> Option<&Runbook> {
        self.runbooks.iter().find(|r| {
            r.id.eq_ignore_ascii_case(name)
                || r.path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|s| s.eq_ignore_ascii_case(name))
        })
    }
}
