//! Runbooks: markdown files with optional YAML front matter, parsed with
//! pulldown-cmark into sections and checklist steps.

use std::fmt;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

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
    /// When the runbook was last tried for real or in a drill.
    pub last_exercised: Option<Date>,
    /// Label names its placeholders may use beyond the common ones (for lint).
    #[serde(default)]
    pub labels: Vec<String>,
    /// Keys warroom does not use (a docs site's `weight:`, or a typo); kept
    /// so the runbook still opens, and reported by lint.
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<String, serde_yaml::Value>,
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
    "last_exercised",
    "labels",
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

    fn slug(self) -> &'static str {
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

/// One checklist item.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Stable within the runbook (`check-1`, `mitigate-2`), so ticks recorded in a
    /// journal find their step again.
    pub id: String,
    /// The item's first paragraph; inline code is kept between backticks.
    pub text: String,
    /// Further paragraphs and nested items.
    pub details: Vec<String>,
    /// Shell commands or queries from inline code and fenced blocks.
    pub commands: Vec<String>,
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
    /// Paragraphs before the first section heading.
    pub intro: Vec<String>,
    /// The sections, in file order.
    pub sections: Vec<Section>,
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

    /// Shipped inside the binary rather than read from a folder.
    pub fn is_built_in(&self) -> bool {
        self.path.starts_with(BUILT_IN)
    }

    /// A step by id, with its section.
    pub fn step(&self, id: &str) -> Option<(&Section, &Step)> {
        self.steps().find(|(_, s)| s.id == id)
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

/// Splits `---` front matter from the body; returns the YAML, the body and the
/// body's first line number.
fn split_front_matter(text: &str) -> (Option<&str>, &str, usize) {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (None, text, 1);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_line = 2 + yaml.lines().count() + 1;
            return (Some(yaml), body, body_line);
        }
        offset += line.len();
    }
    (None, text, 1)
}

/// Parses one runbook. `path` names it in errors and gives the default id.
pub fn parse(path: &Path, text: &str) -> Result<Runbook, RunbookError> {
    let (yaml, body, body_line) = split_front_matter(text);
    if text.starts_with("---") && yaml.is_none() {
        return Err(RunbookError {
            path: path.to_path_buf(),
            line: 1,
            message: "front matter starts with '---' but has no closing '---' line".into(),
        });
    }
    let meta: FrontMatter = match yaml {
        Some(y) if !y.trim().is_empty() => serde_yaml::from_str(y).map_err(|e| RunbookError {
            path: path.to_path_buf(),
            line: 1 + e.location().map_or(1, |l| l.line()),
            message: format!("front matter: {e}"),
        })?,
        _ => FrontMatter::default(),
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("runbook")
        .to_string();
    let mut b = Builder::new(body, body_line);
    b.run();
    let id = meta.id.clone().unwrap_or(stem);
    let title = meta
        .title
        .clone()
        .or(b.title.take())
        .unwrap_or_else(|| id.clone());
    Ok(Runbook {
        id,
        title,
        path: path.to_path_buf(),
        meta,
        intro: b.intro,
        sections: b.sections,
    })
}

#[derive(Default)]
struct StepDraft {
    line: usize,
    text: String,
    details: Vec<String>,
    commands: Vec<String>,
    contract: Option<Contract>,
    contract_error: Option<(usize, String)>,
    branches: Vec<Branch>,
}

impl StepDraft {
    fn take_text(&mut self, buf: &mut String, indent: &str) {
        let t = buf.trim().to_string();
        buf.clear();
        if t.is_empty() {
            return;
        }
        if self.text.is_empty() {
            self.text = t;
        } else {
            self.details.push(format!("{indent}{t}"));
        }
    }
}

struct Builder<'a> {
    body: &'a str,
    line_starts: Vec<usize>,
    first_line: usize,
    title: Option<String>,
    intro: Vec<String>,
    sections: Vec<Section>,
    buf: String,
    heading: bool,
    list_depth: usize,
    step: Option<StepDraft>,
    code: Option<(String, String, usize)>,
    /// An open link inside a step: where it points and where its text starts.
    link: Option<(String, usize)>,
    /// The text of an HTML block being read.
    html: Option<String>,
}

impl<'a> Builder<'a> {
    fn new(body: &'a str, first_line: usize) -> Self {
        let line_starts = std::iter::once(0)
            .chain(body.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Builder {
            body,
            line_starts,
            first_line,
            title: None,
            intro: Vec::new(),
            sections: Vec::new(),
            buf: String::new(),
            heading: false,
            list_depth: 0,
            step: None,
            code: None,
            link: None,
            html: None,
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        let idx = self.line_starts.partition_point(|&s| s <= offset);
        self.first_line + idx.saturating_sub(1)
    }

    fn in_step_section(&self) -> bool {
        self.sections.last().is_some_and(|s| s.kind.has_steps())
    }

    fn push_prose(&mut self, text: String) {
        if text.trim().is_empty() {
            return;
        }
        match self.sections.last_mut() {
            Some(s) => s.prose.push(text),
            None => self.intro.push(text),
        }
    }

    fn finish_step(&mut self) {
        let Some(mut draft) = self.step.take() else {
            return;
        };
        let mut buf = std::mem::take(&mut self.buf);
        draft.take_text(&mut buf, "");
        if let Some(section) = self.sections.last_mut() {
            let n = section.steps.len() + 1;
            let id = format!("{}-{n}", section.kind.slug());
            section.steps.push(Step {
                id,
                text: draft.text,
                details: draft.details,
                commands: draft.commands,
                line: draft.line,
                contract: draft.contract,
                contract_error: draft.contract_error,
                branches: draft.branches,
            });
        }
    }

    fn run(&mut self) {
        let opts =
            Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        let events: Vec<_> = Parser::new_ext(self.body, opts)
            .into_offset_iter()
            .collect();
        for (event, range) in events {
            self.event(event, range.start);
        }
        self.finish_step();
        // Contract ids replace positional ones; prose branches are read last,
        // once each step's text is complete.
        for step in self.sections.iter_mut().flat_map(|s| s.steps.iter_mut()) {
            if let Some(id) = step.contract.as_ref().and_then(|c| c.id.clone()) {
                step.id = id;
            }
            let mut found = contract::branches_in(&step.text);
            for d in &step.details {
                found.extend(contract::branches_in(d));
            }
            step.branches.extend(found);
        }
    }

    fn event(&mut self, event: Event<'_>, offset: usize) {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                self.finish_step();
                self.heading = true;
                self.buf.clear();
            }
            Event::End(TagEnd::Heading(level)) => {
                self.heading = false;
                let text = std::mem::take(&mut self.buf).trim().to_string();
                self.heading_done(level, text, self.line_of(offset));
            }
            Event::Start(Tag::List(_)) => {
                if self.list_depth > 0
                    && let Some(step) = self.step.as_mut()
                {
                    step.take_text(&mut self.buf, "");
                }
                self.list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => {
                self.list_depth = self.list_depth.saturating_sub(1);
            }
            Event::Start(Tag::Item) if self.list_depth == 1 && self.in_step_section() => {
                self.finish_step();
                self.buf.clear();
                self.step = Some(StepDraft {
                    line: self.line_of(offset),
                    ..StepDraft::default()
                });
            }
            Event::End(TagEnd::Item) => {
                let indent = "  ".repeat(self.list_depth.saturating_sub(1));
                if let Some(step) = self.step.as_mut() {
                    if self.list_depth > 1 {
                        let t = self.buf.trim().to_string();
                        self.buf.clear();
                        if !t.is_empty() {
                            step.details.push(format!("{indent}• {t}"));
                        }
                    } else {
                        self.finish_step();
                    }
                } else {
                    let t = std::mem::take(&mut self.buf).trim().to_string();
                    if !t.is_empty() {
                        self.push_prose(format!("{indent}• {t}"));
                    }
                }
            }
            Event::End(TagEnd::Paragraph) => {
                if self.list_depth > 0 {
                    if let Some(step) = self.step.as_mut() {
                        step.take_text(&mut self.buf, "");
                    }
                    // In a prose list, the item end flushes the text.
                } else {
                    let t = std::mem::take(&mut self.buf).trim().to_string();
                    self.push_prose(t);
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new(), self.line_of(offset)));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, code, line)) = self.code.take() {
                    self.code_block(&lang, &code, line);
                }
            }
            Event::Text(t) => match self.code.as_mut() {
                Some((_, code, _)) => code.push_str(&t),
                None => self.buf.push_str(&t),
            },
            Event::Code(c) => {
                self.buf.push('`');
                self.buf.push_str(&c);
                self.buf.push('`');
                if let Some(step) = self.step.as_mut()
                    && looks_like_command(&c)
                {
                    step.commands.push(c.trim().to_string());
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) if self.step.is_some() => {
                if let Some(anchor) = dest_url.strip_prefix('#') {
                    self.link = Some((anchor.to_string(), self.buf.len()));
                }
            }
            Event::End(TagEnd::Link) => {
                if let (Some((anchor, start)), Some(step)) = (self.link.take(), self.step.as_mut())
                {
                    let label = self.buf.get(start..).unwrap_or("").trim().to_string();
                    step.branches.push(Branch {
                        label: if label.is_empty() {
                            format!("#{anchor}")
                        } else {
                            label
                        },
                        target: Target::Id(anchor),
                    });
                }
            }
            Event::Start(Tag::HtmlBlock) => self.html = Some(String::new()),
            Event::Html(h) => {
                if let Some(html) = self.html.as_mut() {
                    html.push_str(&h);
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                // `<details><summary>Example</summary>` keeps its words; the
                // tags themselves mean nothing in a terminal.
                let text = strip_tags(&self.html.take().unwrap_or_default());
                if !text.is_empty() {
                    match self.step.as_mut() {
                        Some(step) => step.details.push(text),
                        None => self.push_prose(text),
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => self.buf.push(' '),
            Event::End(TagEnd::TableCell) => self.buf.push_str(" | "),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                let t = std::mem::take(&mut self.buf);
                self.push_prose(format!("| {}", t.trim()));
            }
            _ => {}
        }
    }

    fn heading_done(&mut self, level: HeadingLevel, text: String, line: usize) {
        if level == HeadingLevel::H1 && self.title.is_none() && self.sections.is_empty() {
            self.title = Some(text);
        } else if level <= HeadingLevel::H2 {
            self.sections.push(Section {
                kind: SectionKind::from_heading(&text),
                heading: text,
                line,
                prose: Vec::new(),
                steps: Vec::new(),
            });
        } else {
            self.push_prose(text);
        }
    }

    fn code_block(&mut self, lang: &str, code: &str, line: usize) {
        if contract::is_contract_block(lang, code) {
            return self.contract_block(code, line);
        }
        let lang = lang.split_whitespace().next().unwrap_or("");
        let is_data = matches!(
            lang,
            "yaml" | "yml" | "json" | "text" | "txt" | "plaintext" | "output" | "log" | "none"
        );
        // A terminal transcript (`$ cmd` then its output): the `$` lines are
        // the commands, the rest is an example of what they print.
        let (commands, example) = match (is_data, prompt_commands(code)) {
            (false, Some((cmds, output))) => (cmds, output),
            (false, None) => (vec![join_continuations(code)], String::new()),
            (true, _) => (Vec::new(), code.trim_end().to_string()),
        };
        let commands: Vec<String> = commands.into_iter().filter(|c| !c.is_empty()).collect();
        if commands.is_empty() && example.is_empty() {
            return;
        }
        if let Some(step) = self.step.as_mut() {
            step.commands.extend(commands);
            if !example.is_empty() {
                step.details.push(example);
            }
            return;
        }
        if !self.in_step_section() {
            for c in commands {
                self.push_prose(c);
            }
            self.push_prose(example);
            return;
        }
        let section = match self.sections.last_mut() {
            Some(s) => s,
            None => return,
        };
        if commands.is_empty() {
            section.prose.push(example);
            return;
        }
        // A block right after a list belongs to the list's last step; a block on
        // its own becomes a step of its own, described by the paragraph above it.
        match section.steps.last_mut() {
            Some(last) if section.prose.len() <= 1 => {
                last.commands.extend(commands);
                if !example.is_empty() {
                    last.details.push(example);
                }
            }
            _ => {
                let text = section.prose.pop().unwrap_or_else(|| "Run".to_string());
                let id = format!("{}-{}", section.kind.slug(), section.steps.len() + 1);
                section.steps.push(Step {
                    id,
                    text,
                    details: if example.is_empty() {
                        Vec::new()
                    } else {
                        vec![example]
                    },
                    commands,
                    line,
                    contract: None,
                    contract_error: None,
                    branches: Vec::new(),
                });
            }
        }
    }

    /// A contract belongs to the step it is in, or to the last step when it
    /// follows a list; elsewhere it is shown as text.
    fn contract_block(&mut self, code: &str, line: usize) {
        let parsed = contract::parse_contract(code);
        let (contract, error) = match parsed {
            // The fence line comes first; YAML lines start after it.
            Ok(c) => (Some(c), None),
            Err((at, msg)) => (None, Some((line + 1 + at, format!("contract: {msg}")))),
        };
        let target = match self.step.as_mut() {
            Some(d) => Some((&mut d.contract, &mut d.contract_error)),
            None => self
                .sections
                .last_mut()
                .filter(|s| s.kind.has_steps())
                .and_then(|s| s.steps.last_mut())
                .map(|s| (&mut s.contract, &mut s.contract_error)),
        };
        match target {
            Some((c, e)) if c.is_none() && e.is_none() => {
                *c = contract;
                *e = error;
            }
            Some((_, e)) => {
                *e = Some((line, "a step has at most one contract block".to_string()));
            }
            None => self.push_prose(code.trim().to_string()),
        }
    }
}

/// The words of an HTML fragment: tags and comments dropped, entities for
/// the common characters decoded, whitespace collapsed.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut in_comment = false;
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if in_comment {
            if rest.starts_with("-->") {
                in_comment = false;
                i += 3;
                continue;
            }
        } else if rest.starts_with("<!--") {
            in_comment = true;
            i += 4;
            continue;
        } else if rest.starts_with('<') {
            in_tag = true;
            out.push(' ');
        } else if rest.starts_with('>') && in_tag {
            in_tag = false;
        } else if !in_tag && let Some(c) = rest.chars().next() {
            out.push(c);
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Inline code is a command when it has words to run: `kubectl get pods` is,
/// `5xx`, `namespace` and a lone `{{ $labels.issuer }}` are not.
fn looks_like_command(code: &str) -> bool {
    let code = code.trim();
    let lone_placeholder = matches!(
        super::placeholder::scan(code).as_slice(),
        [p] if p.start == 0 && p.end == code.len()
    );
    code.contains(char::is_whitespace) && !lone_placeholder
}

/// Reads a terminal transcript: lines starting with a `$ ` prompt (and their
/// `\` continuations) are commands, the others their output. `None` when the
/// block has no prompt, so it is a script as written.
fn prompt_commands(code: &str) -> Option<(Vec<String>, String)> {
    if !code.lines().any(|l| l.trim_start().starts_with("$ ")) {
        return None;
    }
    let mut commands: Vec<String> = Vec::new();
    let mut output: Vec<&str> = Vec::new();
    let mut continued = false;
    for l in code.lines() {
        let t = l.trim_start();
        if let Some(cmd) = t.strip_prefix("$ ") {
            commands.push(cmd.to_string());
        } else if continued && let Some(last) = commands.last_mut() {
            last.push('\n');
            last.push_str(l);
        } else if !t.is_empty() {
            output.push(l);
        }
        continued = t.trim_end().ends_with('\\');
    }
    let commands = commands.iter().map(|c| join_continuations(c)).collect();
    Some((commands, output.join("\n")))
}

/// Joins shell lines ending with `\` so a wrapped command stays one command.
fn join_continuations(code: &str) -> String {
    let mut out = String::new();
    let mut continued = false;
    for line in code.trim_end().lines() {
        let piece = if continued { line.trim_start() } else { line };
        let (piece, cont) = match piece.trim_end().strip_suffix('\\') {
            Some(p) => (p.trim_end(), true),
            None => (piece.trim_end(), false),
        };
        if !out.is_empty() {
            out.push(if continued { ' ' } else { '\n' });
        }
        out.push_str(piece);
        continued = cont;
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "---
id: catalog-latency
title: Catalog p99 latency
alerts: [CatalogP99Latency]
namespace: shop
query: histogram_quantile(0.99, sum by (le) (rate(x[5m])))
threshold: 0.5
last_exercised: 2026-09-01
---
# Ignored title

## Alert
p99 above 500 ms.

## Check
- [ ] Is it real? `kubectl -n $NAMESPACE get pods`
- Compare `{{ $labels.service }}` with the dashboard.
  - nested detail

## Diagnosis

1. Look at logs:

   ```sh
   kubectl -n {{ $labels.namespace }} logs \\
     deploy/catalog
   ```
2. If errors, go to step 4.

## Mitigation
Roll back:

```bash
kubectl -n shop rollout undo deploy/catalog
```

## Impact
Users wait.

## Postmortem
Use the template.
";

    fn sample() -> Runbook {
        parse(Path::new("runbooks/catalog.md"), SAMPLE).expect("parses")
    }

    #[test]
    fn front_matter_fields() {
        let rb = sample();
        assert_eq!(rb.id, "catalog-latency");
        assert_eq!(rb.title, "Catalog p99 latency");
        assert_eq!(rb.meta.threshold, Some(0.5));
        assert_eq!(rb.meta.namespace.as_deref(), Some("shop"));
        assert_eq!(rb.meta.last_exercised, Some(jiff::civil::date(2026, 9, 1)));
    }

    #[test]
    fn sections_in_order_with_kinds() {
        let kinds: Vec<_> = sample().sections.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                SectionKind::Alert,
                SectionKind::Check,
                SectionKind::Diagnose,
                SectionKind::Mitigate,
                SectionKind::Other,
                SectionKind::Postmortem
            ]
        );
    }

    #[test]
    fn steps_with_commands_and_lines() {
        let rb = sample();
        let check = &rb.sections[1];
        assert_eq!(check.steps.len(), 2);
        assert_eq!(check.steps[0].id, "check-1");
        assert_eq!(
            check.steps[0].text,
            "Is it real? `kubectl -n $NAMESPACE get pods`"
        );
        assert_eq!(check.steps[0].commands, ["kubectl -n $NAMESPACE get pods"]);
        assert_eq!(check.steps[0].line, 16);
        assert_eq!(check.steps[1].details, ["  • nested detail"]);
        assert!(
            check.steps[1].commands.is_empty(),
            "a lone placeholder is not a command"
        );
        let diag = &rb.sections[2];
        assert_eq!(
            diag.steps[0].commands,
            ["kubectl -n {{ $labels.namespace }} logs deploy/catalog"]
        );
        assert_eq!(diag.steps[1].text, "If errors, go to step 4.");
        let mitigate = &rb.sections[3];
        assert_eq!(mitigate.steps.len(), 1);
        assert_eq!(mitigate.steps[0].text, "Roll back:");
        assert_eq!(
            mitigate.steps[0].commands,
            ["kubectl -n shop rollout undo deploy/catalog"]
        );
        assert_eq!(rb.sections[4].prose, ["Users wait."]);
    }

    #[test]
    fn without_front_matter_uses_h1_and_file_name() {
        let rb = parse(
            Path::new("x/TargetDown.md"),
            "# Target down\n\n## Check\n1. a\n",
        )
        .expect("ok");
        assert_eq!(rb.id, "TargetDown");
        assert_eq!(rb.title, "Target down");
        assert_eq!(rb.sections[0].steps[0].id, "check-1");
    }

    #[test]
    fn malformed_front_matter_is_an_error_with_a_line() {
        let err = parse(
            Path::new("bad.md"),
            "---\nid: x\nalerts: [unclosed\n---\n# T\n",
        )
        .expect_err("bad yaml");
        assert!(err.message.contains("front matter"), "{err}");
        assert!(err.line >= 2, "{err}");
        let err = parse(Path::new("bad.md"), "---\nid: x\n# never closed\n").expect_err("unclosed");
        assert!(err.to_string().starts_with("bad.md:1:"), "{err}");
        let err = parse(Path::new("bad.md"), "---\nthreshold: [3\n---\n").expect_err("bad yaml");
        assert!(err.message.contains("front matter"), "{err}");
        let err = parse(Path::new("bad.md"), "---\nthreshold: high\n---\n").expect_err("type");
        assert!(err.message.contains("threshold"), "{err}");
    }

    #[test]
    fn terminal_transcripts_run_only_their_prompt_lines() {
        let rb = parse(
            Path::new("t.md"),
            "## Diagnose\n\nFor example:\n\n```txt\n - node = node1\n```\n\nCheck the node:\n\n```shell\n$ kubectl get node $NODE \\\n    -o yaml\nNAME STATUS\nnode1 NotReady\n$ kubectl describe node $NODE\n```\n",
        )
        .expect("parses");
        let st = &rb.sections[0].steps[0];
        assert_eq!(st.text, "Check the node:");
        assert_eq!(
            st.commands,
            [
                "kubectl get node $NODE -o yaml",
                "kubectl describe node $NODE"
            ]
        );
        assert_eq!(st.details, ["NAME STATUS\nnode1 NotReady"]);
        assert_eq!(rb.sections[0].prose, ["For example:", " - node = node1"]);
    }

    #[test]
    fn odd_markdown_never_panics() {
        for text in [
            "",
            "---\n---\n",
            "## Check\n```\nunclosed fence",
            "## Check\n- \n- [x]\n",
            "<details><summary>x</summary>\n\n- a\n</details>",
            "## Mitigate\n\n    indented code\n",
            "# a\n# b\n## Check\n|a|b|\n|-|-|\n|1|2|\n",
        ] {
            let _ = parse(Path::new("odd.md"), text);
        }
    }

    #[test]
    fn covers_matches_alerts_list_and_file_name() {
        let rb = sample();
        let mut alert = Alert {
            fingerprint: "f".into(),
            labels: [("alertname".to_string(), "catalogp99latency".to_string())].into(),
            annotations: Default::default(),
            starts_at: jiff::Timestamp::UNIX_EPOCH,
            ..Alert::default()
        };
        assert!(rb.covers(&alert));
        alert.labels.insert("alertname".into(), "Catalog".into());
        assert!(rb.covers(&alert));
        alert.labels.insert("alertname".into(), "Other".into());
        assert!(!rb.covers(&alert));
    }

    #[test]
    fn runbook_url_wins_over_alert_lists() {
        let parse_at = |file: &str, text: &str| parse(Path::new(file), text).expect("parses");
        let lib = Library {
            runbooks: vec![
                parse_at(
                    "runbooks/generic.md",
                    "---\nalerts: [TargetDown]\n---\n# Generic\n",
                ),
                parse_at("runbooks/TargetDown.md", "# Target down\n"),
                parse_at(
                    "runbooks/x.md",
                    "---\nid: scrape-failures\n---\n# Scrapes\n",
                ),
            ],
            errors: Vec::new(),
        };
        let mut alert = Alert {
            labels: [("alertname".to_string(), "TargetDown".to_string())].into(),
            ..Alert::default()
        };
        assert_eq!(
            lib.for_alert(&alert).map(|r| r.id.as_str()),
            Some("generic")
        );
        alert.annotations.insert(
            "runbook_url".into(),
            "https://runbooks.example.com/runbooks/general/targetdown".into(),
        );
        assert_eq!(
            lib.for_alert(&alert).map(|r| r.id.as_str()),
            Some("TargetDown")
        );
        alert
            .annotations
            .insert("runbook_url".into(), "https://wiki/Scrape-Failures".into());
        assert_eq!(
            lib.for_alert(&alert).map(|r| r.id.as_str()),
            Some("scrape-failures")
        );
        // A folder runbook named like the alert wins over a built-in listing it.
        let mut with_builtin = Library {
            runbooks: vec![
                parse_at(
                    "(built in)/generic.md",
                    "---\nid: shipped\nalerts: [Other]\n---\n# Shipped\n",
                ),
                parse_at("runbooks/Other.md", "# Team's own\n"),
            ],
            errors: Vec::new(),
        };
        let other = Alert {
            labels: [("alertname".to_string(), "Other".to_string())].into(),
            ..Alert::default()
        };
        assert_eq!(
            with_builtin.for_alert(&other).map(|r| r.id.as_str()),
            Some("Other")
        );
        with_builtin.runbooks.pop();
        assert_eq!(
            with_builtin.for_alert(&other).map(|r| r.id.as_str()),
            Some("shipped")
        );
        // A URL naming no runbook here falls back to the alerts list.
        alert
            .annotations
            .insert("runbook_url".into(), "https://wiki/elsewhere".into());
        assert_eq!(
            lib.for_alert(&alert).map(|r| r.id.as_str()),
            Some("generic")
        );
    }
}
