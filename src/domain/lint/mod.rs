//! Runbook checks for `warroom lint`: structure, placeholders, alert claims and
//! staleness, each as a `file:line` diagnostic. Pure: the caller reads files.

mod drill;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::exercise::History;
use super::placeholder::{Use, fill, scan};
use super::runbook::{Block, CodeRole, Dialect, Runbook, RunbookError, SectionKind};
use drill::drill;

/// A runbook not exercised for longer than this is stale.
pub const STALE_AFTER_DAYS: i64 = 90;

/// How bad a finding is: errors fail the lint (exit 1), warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Must be fixed.
    Error,
    /// Worth a look.
    Warning,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The runbook file.
    pub path: PathBuf,
    /// 1-based line (0: the whole file).
    pub line: usize,
    /// Error or warning.
    pub level: Level,
    /// What is wrong, in words.
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(
            f,
            "{}:{}: {level}: {}",
            self.path.display(),
            self.line,
            self.message
        )
    }
}

/// Label names alerts commonly carry; placeholders naming anything else are
/// probably typos unless the runbook lists them in front matter `labels:`.
pub const KNOWN_LABELS: &[&str] = &[
    "alertname",
    "severity",
    "namespace",
    "pod",
    "container",
    "deployment",
    "statefulset",
    "daemonset",
    "replicaset",
    "job",
    "job_name",
    "cronjob",
    "instance",
    "node",
    "service",
    "cluster",
    "region",
    "zone",
    "env",
    "team",
    "app",
    "persistentvolumeclaim",
    "persistentvolume",
    "endpoint",
    "host",
    "device",
    "mountpoint",
    "fstype",
    "queue",
    "topic",
    "consumergroup",
    "database",
    "datname",
    "server",
    "phase",
    "reason",
    "condition",
    "ingress",
    "certificate",
    "secret_name",
    "issuer",
    "route",
    "method",
    "code",
    "handler",
    "path",
    "status",
    "name",
    "le",
    "quantile",
    "horizontalpodautoscaler",
    "poddisruptionbudget",
    "prometheus",
    "alertmanager",
    "integration",
];

/// When a runbook was last exercised: front matter `last_exercised`, or the
/// newest incident that used it, whichever is later.
pub fn last_exercised(rb: &Runbook, used: Option<Timestamp>) -> Option<Timestamp> {
    let front = rb.meta.last_exercised.and_then(|d| {
        d.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp())
    });
    match (front, used) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Days since the last exercise when that is more than [`STALE_AFTER_DAYS`]
/// (`Some(None)`: never exercised), else `None`.
pub fn stale(rb: &Runbook, used: Option<Timestamp>, now: Timestamp) -> Option<Option<i64>> {
    match last_exercised(rb, used) {
        None => Some(None),
        Some(t) => {
            let days = now.duration_since(t).as_secs() / 86_400;
            (now.duration_since(t) > SignedDuration::from_hours(24 * STALE_AFTER_DAYS))
                .then_some(Some(days))
        }
    }
}

/// The sections of warroom's own format, in the order they come.
const REQUIRED: [SectionKind; 5] = [
    SectionKind::Alert,
    SectionKind::Check,
    SectionKind::Diagnose,
    SectionKind::Mitigate,
    SectionKind::Postmortem,
];

/// Checks a set of runbooks (and the files that failed to parse). warroom's
/// own format is held to its structure; another team's (Meaning /
/// Diagnosis / Mitigation) only to real faults: unclosed fences, links to
/// files that are not there, unknown placeholders, alerts claimed twice.
/// `exists` answers for link targets, so this reads no files itself.
pub fn lint(
    runbooks: &[Runbook],
    errors: &[RunbookError],
    history: &History,
    now: Timestamp,
    exists: &dyn Fn(&Path) -> bool,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = errors
        .iter()
        .map(|e| Diagnostic {
            path: e.path.clone(),
            line: e.line.max(1),
            level: Level::Error,
            message: e.message.clone(),
        })
        .collect();
    let mut claims: BTreeMap<String, Vec<&Runbook>> = BTreeMap::new();
    for rb in runbooks {
        let diag = |line: usize, level: Level, message: String| Diagnostic {
            path: rb.path.clone(),
            line,
            level,
            message,
        };
        let own = rb.dialect == Dialect::Warroom;
        if own {
            structure(rb, &mut out);
        }
        if let Some(line) = rb.unclosed_fence {
            out.push(diag(
                line,
                Level::Error,
                "code fence opened here is never closed: everything after it reads as code".into(),
            ));
        }
        for (line, target) in &rb.links {
            if let Some((level, missing)) = broken_link(rb, target, exists) {
                out.push(diag(
                    *line,
                    level,
                    format!("link '{target}' points at {missing}, which does not exist"),
                ));
            }
        }
        steps_lint(rb, &mut out);
        front_matter(rb, &mut out);
        placeholders(rb, &mut out);
        for a in &rb.meta.alerts {
            claims.entry(a.to_ascii_lowercase()).or_default().push(rb);
        }
        if !own {
            continue;
        }
        drill(rb, history, &mut out);
        match stale(rb, history.used.get(&rb.id).copied(), now) {
            Some(None) => out.push(diag(
                1,
                Level::Warning,
                "STALE: never exercised (set last_exercised after a drill or incident)".into(),
            )),
            Some(Some(days)) => out.push(diag(
                1,
                Level::Warning,
                format!("STALE: last exercised {days} days ago (more than {STALE_AFTER_DAYS})"),
            )),
            None => {}
        }
    }
    for (alert, rbs) in claims {
        if rbs.len() > 1 {
            for rb in &rbs {
                let others: Vec<String> = rbs
                    .iter()
                    .filter(|o| o.path != rb.path)
                    .map(|o| match o.front_lines.get("alerts") {
                        Some(l) => format!("{}:{l}", o.path.display()),
                        None => o.path.display().to_string(),
                    })
                    .collect();
                out.push(Diagnostic {
                    path: rb.path.clone(),
                    line: rb.front_lines.get("alerts").copied().unwrap_or(1),
                    level: Level::Error,
                    message: format!(
                        "alert '{alert}' is claimed by {} runbooks: also {}",
                        rbs.len(),
                        others.join(", ")
                    ),
                });
            }
        }
    }
    out.sort_by(|a, b| {
        a.path
            .cmp(&b.path)
            .then(a.line.cmp(&b.line))
            .then(a.level.cmp(&b.level))
    });
    out
}

/// An error about `rb` at `line`.
fn error_at(rb: &Runbook, line: usize, message: String) -> Diagnostic {
    Diagnostic {
        path: rb.path.clone(),
        line,
        level: Level::Error,
        message,
    }
}

/// warroom's five sections, each present and, where they hold steps, with
/// steps. A missing section is reported where it belongs: at the next
/// section's heading, or at the end of the file.
fn structure(rb: &Runbook, out: &mut Vec<Diagnostic>) {
    let mut diag = |line: usize, message: String| out.push(error_at(rb, line, message));
    for (i, kind) in REQUIRED.iter().enumerate() {
        if rb.sections.iter().any(|s| s.kind == *kind) {
            continue;
        }
        let line = rb
            .sections
            .iter()
            .find(|s| REQUIRED[i + 1..].contains(&s.kind))
            .map_or(rb.end_line, |s| s.line);
        diag(
            line,
            format!("missing required section: {kind:?} (it belongs before this line)"),
        );
    }
    for s in &rb.sections {
        if s.kind.has_steps() && s.steps.is_empty() && s.kind != SectionKind::Verify {
            diag(
                s.line,
                format!(
                    "section '{}' has no steps (write them as a numbered or - [ ] list)",
                    s.heading
                ),
            );
        }
    }
}

/// Front-matter keys warroom does not know: a near miss of one it does is
/// an error (the setting is silently lost); anything else is a note in
/// warroom's own format and nothing in another team's, whose site
/// generator reads them.
fn front_matter(rb: &Runbook, out: &mut Vec<Diagnostic>) {
    // A unit warroom does not know leaves the chart guessing: worth a look,
    // not a failure. Another team's `unit:` may mean something else.
    if let Some(Err(why)) = rb.meta.unit.as_deref().map(str::parse::<super::unit::Unit>)
        && rb.dialect == Dialect::Warroom
    {
        out.push(Diagnostic {
            path: rb.path.clone(),
            line: rb.front_lines.get("unit").copied().unwrap_or(1),
            level: Level::Warning,
            message: format!("{why}; the chart guesses from the query instead"),
        });
    }
    for key in rb.meta.extra.keys() {
        let near = super::runbook::FRONT_MATTER_KEYS
            .iter()
            .find(|k| key.len() > 3 && super::contract::close(k, key));
        if near.is_none() && rb.dialect != Dialect::Warroom {
            continue;
        }
        out.push(Diagnostic {
            path: rb.path.clone(),
            line: rb.front_lines.get(key).copied().unwrap_or(1),
            level: if near.is_some() {
                Level::Error
            } else {
                Level::Warning
            },
            message: match near {
                Some(k) => format!("front matter key '{key}' is unknown: did you mean '{k}'?"),
                None => format!("front matter key '{key}' is not used by warroom (ignored)"),
            },
        });
    }
}

/// Placeholders naming labels alerts rarely carry: probably typos. In
/// commands, variables the command sets itself (`for p in …`) are its own.
fn placeholders(rb: &Runbook, out: &mut Vec<Diagnostic>) {
    let known = |name: &str| {
        let n = name.to_ascii_lowercase();
        KNOWN_LABELS.contains(&n.as_str())
            || rb.meta.labels.iter().any(|l| l.eq_ignore_ascii_case(&n))
    };
    let mut names: Vec<(usize, String)> = Vec::new();
    let none = BTreeMap::new();
    let mut text = |line: usize, t: &str| {
        names.extend(
            scan(t)
                .iter()
                .map(|p| (line, t[p.start..p.end].to_string())),
        );
    };
    for f in [&rb.meta.query, &rb.meta.namespace, &rb.meta.selector]
        .into_iter()
        .flatten()
    {
        text(1, f);
    }
    let command = |line: usize, c: &str| {
        let filled = fill(c, &none, Use::Shell { env: &|_| false });
        filled.missing.into_iter().map(move |m| (line, m))
    };
    let mut from_commands = Vec::new();
    for block in &rb.blocks {
        match block {
            Block::Heading { text: t, line, .. }
            | Block::Paragraph { text: t, line }
            | Block::Item { text: t, line, .. }
            | Block::Quote { text: t, line } => text(*line, t),
            Block::Details { summary, line } => text(*line, summary),
            Block::Table { rows, line } => {
                for cell in rows.iter().flatten() {
                    text(*line, cell);
                }
            }
            Block::Code {
                text: t,
                role: CodeRole::Command,
                line,
                ..
            } => from_commands.extend(command(*line, t)),
            Block::Code {
                text: t,
                role: CodeRole::Query,
                line,
                ..
            } => text(*line, t),
            Block::Code { .. } | Block::DetailsEnd => {}
            Block::Step(i) => {
                let Some((_, st)) = rb.steps().nth(*i) else {
                    continue;
                };
                text(st.line, &st.text);
                for d in &st.details {
                    text(st.line, d);
                }
                for q in &st.queries {
                    text(st.line, q);
                }
                for c in &st.commands {
                    from_commands.extend(command(st.line, c));
                }
            }
        }
    }
    names.extend(from_commands);
    let mut reported = std::collections::BTreeSet::new();
    for (line, raw) in names {
        let name = scan(&raw)
            .first()
            .map(|p| p.name.to_string())
            .unwrap_or_default();
        if !known(&name) && reported.insert(name.clone()) {
            out.push(Diagnostic {
                path: rb.path.clone(),
                line,
                level: Level::Warning,
                message: format!(
                    "placeholder '{raw}' names a label alerts rarely carry (list it in front matter `labels:` if it is real)"
                ),
            });
        }
    }
}

/// A relative link inside the tree that finds nothing: where it points and
/// how sure that is. A link to a file (`../x.md`, `img.png`) either exists
/// or is broken; a page-style link (`../KubeNodeNotReady/`) is looked for
/// both beside the file and under the page's own address, as site
/// generators read it, and only a warning when neither has it. Web
/// addresses, anchors and site-absolute paths are not checked.
fn broken_link(
    rb: &Runbook,
    target: &str,
    exists: &dyn Fn(&Path) -> bool,
) -> Option<(Level, String)> {
    let t = target.trim();
    if t.is_empty()
        || t.starts_with('#')
        || t.starts_with('/')
        || t.contains("://")
        || t.starts_with("mailto:")
        || t.starts_with("tel:")
    {
        return None;
    }
    let t = t
        .split(['#', '?'])
        .next()
        .unwrap_or(t)
        .trim_end_matches('/');
    if t.is_empty() {
        return None;
    }
    let base = rb.path.parent().unwrap_or(Path::new(""));
    let path = base.join(t);
    if Path::new(t).extension().is_some() {
        let path = lexical(&path);
        return (!exists(&path)).then(|| (Level::Error, path.display().to_string()));
    }
    let page = rb.path.with_extension("");
    let candidates = [
        path.clone(),
        base.join(format!("{t}.md")),
        page.join(t),
        page.join(format!("{t}.md")),
    ];
    (!candidates.iter().any(|c| exists(&lexical(c))))
        .then(|| (Level::Warning, lexical(&path).display().to_string()))
}

/// `a/b/../c` as `a/c`, without asking the file system (where `b` need not
/// be a folder: it is a page's address).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Contracts, gates and branches: each must parse and point at a step that
/// exists; step ids must be unique so ticks find their step.
fn steps_lint(rb: &Runbook, out: &mut Vec<Diagnostic>) {
    let mut diag = |line: usize, message: String| out.push(error_at(rb, line, message));
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, st) in rb.steps() {
        if let Some(first) = seen.insert(st.id.as_str(), st.line) {
            diag(
                st.line,
                format!(
                    "step id '{}' is used twice (also line {first}); ticks would mix them up",
                    st.id
                ),
            );
        }
        if let Some((line, msg)) = &st.contract_error {
            diag(*line, format!("step {}: {msg}", st.id));
        }
        for r in st.requires() {
            if rb.step(r).is_none() {
                diag(
                    st.line,
                    format!("step {} requires '{r}', which is not a step here", st.id),
                );
            } else if r == &st.id {
                diag(st.line, format!("step {} requires itself", st.id));
            }
        }
        for b in &st.branches {
            if rb.branch_target(st, &b.target).is_none() {
                diag(
                    st.line,
                    format!(
                        "step {}: '{}' leads to a step that does not exist",
                        st.id, b.label
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
