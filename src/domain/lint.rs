//! Runbook checks for `warroom lint`: structure, placeholders, alert claims and
//! staleness, each as a `file:line` diagnostic. Pure: the caller reads files.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::placeholder::scan;
use super::runbook::{Runbook, RunbookError, SectionKind};

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

/// Checks a set of runbooks (and the files that failed to parse).
pub fn lint(
    runbooks: &[Runbook],
    errors: &[RunbookError],
    used: &BTreeMap<String, Timestamp>,
    now: Timestamp,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = errors
        .iter()
        .map(|e| Diagnostic {
            path: e.path.clone(),
            line: e.line,
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
        for kind in [
            SectionKind::Alert,
            SectionKind::Check,
            SectionKind::Diagnose,
            SectionKind::Mitigate,
            SectionKind::Postmortem,
        ] {
            if !rb.sections.iter().any(|s| s.kind == kind) {
                out.push(diag(
                    0,
                    Level::Error,
                    format!("missing required section: {kind:?}"),
                ));
            }
        }
        for s in &rb.sections {
            if s.kind.has_steps() && s.steps.is_empty() && s.kind != SectionKind::Verify {
                out.push(diag(
                    s.line,
                    Level::Error,
                    format!(
                        "section '{}' has no steps (write them as a numbered or - [ ] list)",
                        s.heading
                    ),
                ));
            }
        }
        steps_lint(rb, &mut out);
        for key in rb.meta.extra.keys() {
            let near = super::runbook::FRONT_MATTER_KEYS
                .iter()
                .find(|k| key.len() > 3 && super::contract::close(k, key));
            out.push(match near {
                Some(k) => diag(
                    1,
                    Level::Error,
                    format!("front matter key '{key}' is unknown: did you mean '{k}'?"),
                ),
                None => diag(
                    1,
                    Level::Warning,
                    format!("front matter key '{key}' is not used by warroom (ignored)"),
                ),
            });
        }
        let known = |name: &str| {
            let n = name.to_ascii_lowercase();
            KNOWN_LABELS.contains(&n.as_str())
                || rb.meta.labels.iter().any(|l| l.eq_ignore_ascii_case(&n))
        };
        let mut texts: Vec<(usize, &str)> = Vec::new();
        for f in [&rb.meta.query, &rb.meta.namespace, &rb.meta.selector]
            .into_iter()
            .flatten()
        {
            texts.push((1, f.as_str()));
        }
        for s in &rb.sections {
            for p in &s.prose {
                texts.push((s.line, p.as_str()));
            }
            for st in &s.steps {
                texts.push((st.line, st.text.as_str()));
                for c in &st.commands {
                    texts.push((st.line, c.as_str()));
                }
                for d in &st.details {
                    texts.push((st.line, d.as_str()));
                }
            }
        }
        let mut reported = std::collections::BTreeSet::new();
        for (line, text) in texts {
            for p in scan(text) {
                if !known(p.name) && reported.insert(p.name.to_string()) {
                    out.push(diag(
                        line,
                        Level::Warning,
                        format!(
                            "placeholder '{}' names a label alerts rarely carry (list it in front matter `labels:` if it is real)",
                            &text[p.start..p.end]
                        ),
                    ));
                }
            }
        }
        for a in &rb.meta.alerts {
            claims.entry(a.to_ascii_lowercase()).or_default().push(rb);
        }
        match stale(rb, used.get(&rb.id).copied(), now) {
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
            let names: Vec<String> = rbs.iter().map(|r| r.path.display().to_string()).collect();
            for rb in &rbs {
                out.push(Diagnostic {
                    path: rb.path.clone(),
                    line: 1,
                    level: Level::Error,
                    message: format!(
                        "alert '{alert}' is claimed by {} runbooks: {}",
                        rbs.len(),
                        names.join(", ")
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

/// Contracts, gates and branches: each must parse and point at a step that
/// exists; step ids must be unique so ticks find their step.
fn steps_lint(rb: &Runbook, out: &mut Vec<Diagnostic>) {
    let mut diag = |line: usize, message: String| {
        out.push(Diagnostic {
            path: rb.path.clone(),
            line,
            level: Level::Error,
            message,
        })
    };
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
mod tests {
    use super::*;
    use crate::domain::runbook::parse;
    use std::path::Path;

    fn now() -> Timestamp {
        "2026-11-21T03:00:00Z".parse().expect("ts")
    }

    const GOOD: &str = "---\nalerts: [A]\nlast_exercised: 2026-10-01\n---\n# A\n\n## Alert\n\nx\n\n## Check\n\n1. look `kubectl -n $namespace get pods`\n\n## Diagnose\n\n1. think\n\n## Mitigate\n\n1. act\n\n## Postmortem\n\nwrite\n";

    #[test]
    fn a_good_runbook_has_no_findings() {
        let rb = parse(Path::new("good.md"), GOOD).expect("parses");
        assert_eq!(lint(&[rb], &[], &BTreeMap::new(), now()), []);
    }

    #[test]
    fn findings_name_file_line_and_problem() {
        let bad = "---\nalerts: [A]\nlast_exercised: 2026-01-01\n---\n# B\n\n## Alert\n\nx\n\n## Check\n\nNo list here.\n\n## Mitigation\n\n1. restart `kubectl -n $namspace rollout restart deploy/x`\n";
        let a = parse(Path::new("good.md"), GOOD).expect("parses");
        let b = parse(Path::new("bad.md"), bad).expect("parses");
        let d = lint(&[a, b], &[], &BTreeMap::new(), now());
        let text: Vec<String> = d.iter().map(ToString::to_string).collect();
        let has = |needle: &str| text.iter().any(|t| t.contains(needle));
        assert!(
            has("bad.md:0: error: missing required section: Diagnose"),
            "{text:#?}"
        );
        assert!(
            has("bad.md:0: error: missing required section: Postmortem"),
            "{text:#?}"
        );
        assert!(
            has("bad.md:11: error: section 'Check' has no steps"),
            "{text:#?}"
        );
        assert!(
            has("bad.md:17: warning: placeholder '$namspace'"),
            "{text:#?}"
        );
        assert!(
            has("bad.md:1: warning: STALE: last exercised 324 days ago"),
            "{text:#?}"
        );
        assert!(
            has("good.md:1: error: alert 'a' is claimed by 2 runbooks"),
            "{text:#?}"
        );
        assert!(!has("good.md:0"), "{text:#?}");
    }

    #[test]
    fn contracts_gates_and_branches_must_point_somewhere() {
        let text = "---\nlast_exercised: 2026-10-01\n---\n# C\n\n## Alert\n\nx\n\n## Check\n\n1. look, and if fine go to step 9\n2. see [the fix](#nowhere)\n\n## Diagnose\n\n1. think\n\n   ```yaml\n   id: think\n   requires: [check-7]\n   ```\n\n## Mitigate\n\n1. act\n\n   ```yaml\n   id: act\n   requries: [think]\n   ```\n2. again\n\n   ```yaml\n   id: think\n   owner: platform\n   ```\n\n## Postmortem\n\nwrite\n";
        let rb = parse(Path::new("c.md"), text).expect("parses");
        let d = lint(&[rb], &[], &BTreeMap::new(), now());
        let text: Vec<String> = d.iter().map(ToString::to_string).collect();
        let has = |needle: &str| text.iter().any(|t| t.contains(needle));
        assert!(
            has("c.md:12: error: step check-1: 'go to step 9' leads to a step that does not exist"),
            "{text:#?}"
        );
        assert!(
            has("c.md:13: error: step check-2: 'the fix' leads to a step that does not exist"),
            "{text:#?}"
        );
        assert!(
            has("c.md:17: error: step think requires 'check-7', which is not a step here"),
            "{text:#?}"
        );
        assert!(
            has("c.md:30: error: step mitigate-1: contract: unknown field `requries`"),
            "{text:#?}"
        );
        assert!(
            has("c.md:32: error: step id 'think' is used twice (also line 17)"),
            "{text:#?}"
        );
        assert_eq!(d.iter().filter(|d| d.level == Level::Error).count(), 5);
    }

    #[test]
    fn unknown_front_matter_is_kept_and_reported() {
        let rb = parse(
            Path::new("f.md"),
            "---\ntitle: Hugo page\nweight: 20\nthreshhold: 3\n---\n# T\n",
        )
        .expect("other tools' keys do not stop a runbook opening");
        let d = lint(&[rb], &[], &BTreeMap::new(), now());
        let text: Vec<String> = d.iter().map(ToString::to_string).collect();
        assert!(
            text.contains(&"f.md:1: error: front matter key 'threshhold' is unknown: did you mean 'threshold'?".to_string()),
            "{text:#?}"
        );
        assert!(
            text.contains(
                &"f.md:1: warning: front matter key 'weight' is not used by warroom (ignored)"
                    .to_string()
            ),
            "{text:#?}"
        );
    }

    #[test]
    fn staleness_uses_the_newest_of_front_matter_and_incidents() {
        let rb = parse(Path::new("r.md"), GOOD).expect("parses");
        let later = "2026-11-20T00:00:00Z".parse().expect("ts");
        assert_eq!(
            stale(&rb, None, "2027-02-01T00:00:00Z".parse().expect("ts")),
            Some(Some(123))
        );
        assert_eq!(
            stale(
                &rb,
                Some(later),
                "2027-02-01T00:00:00Z".parse().expect("ts")
            ),
            None
        );
        let never = parse(Path::new("n.md"), "# N\n").expect("parses");
        assert_eq!(stale(&never, None, now()), Some(None));
    }
}
