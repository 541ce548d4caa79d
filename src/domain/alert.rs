//! Alerts as every source (demo, Alertmanager, Prometheus) delivers them.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Whether anyone is being told about an alert.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Firing and notifying.
    #[default]
    Firing,
    /// Firing, but a silence mutes it.
    Silenced,
    /// Firing, but a more important alert inhibits it.
    Inhibited,
    /// No longer firing.
    Resolved,
}

impl AlertState {
    /// Lower-case word for panes and the timeline.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Silenced => "silenced",
            AlertState::Inhibited => "inhibited",
            AlertState::Resolved => "resolved",
        }
    }

    /// Silenced or inhibited: firing but nobody is being paged for it.
    pub fn is_suppressed(self) -> bool {
        matches!(self, AlertState::Silenced | AlertState::Inhibited)
    }
}

/// One firing alert. Labels identify it; annotations describe it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable identity across refreshes (Alertmanager's fingerprint).
    pub fingerprint: String,
    /// What identifies the alert: `alertname`, `severity`, `namespace`, ...
    pub labels: BTreeMap<String, String>,
    /// What describes it for humans: `summary`, `description`, `runbook_url`, ...
    pub annotations: BTreeMap<String, String>,
    /// When the alert started firing; ages are computed from it at draw time.
    pub starts_at: Timestamp,
    /// Firing, silenced or inhibited.
    #[serde(default)]
    pub state: AlertState,
    /// Ids of the silences that mute it.
    #[serde(default)]
    pub silenced_by: Vec<String>,
    /// Fingerprints of the alerts that inhibit it.
    #[serde(default)]
    pub inhibited_by: Vec<String>,
    /// Link back to the rule's expression in Prometheus.
    #[serde(default)]
    pub generator_url: Option<String>,
}

impl Alert {
    /// The `alertname` label, which names the rule that fired.
    pub fn name(&self) -> &str {
        self.label("alertname").unwrap_or("(unnamed alert)")
    }

    /// One label's value, if present.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }

    /// The `severity` label as written by the rule author.
    pub fn severity_label(&self) -> Option<&str> {
        self.label("severity")
    }

    /// Short human description: the `summary` annotation, else `description`.
    pub fn summary(&self) -> &str {
        self.annotations
            .get("summary")
            .or_else(|| self.annotations.get("description"))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The PromQL of the rule that fired, from the `g0.expr` parameter of its
    /// generatorURL, for charting when the runbook has no query.
    pub fn expression(&self) -> Option<String> {
        let u = url::Url::parse(self.generator_url.as_deref()?).ok()?;
        u.query_pairs()
            .find(|(k, _)| k == "g0.expr")
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.trim().is_empty())
    }

    /// The last path segment of the `runbook_url` annotation, without an
    /// extension: `https://x/runbooks/general/targetdown` → `targetdown`.
    pub fn runbook_slug(&self) -> Option<String> {
        let raw = self.annotations.get("runbook_url")?;
        let path = match url::Url::parse(raw) {
            Ok(u) => u.path().to_string(),
            Err(_) => raw.split(['?', '#']).next().unwrap_or("").to_string(),
        };
        let last = path.trim_end_matches('/').rsplit('/').next()?;
        let stem = last
            .rsplit_once('.')
            .filter(|(_, ext)| {
                matches!(
                    ext.to_ascii_lowercase().as_str(),
                    "md" | "markdown" | "html" | "htm"
                )
            })
            .map_or(last, |(stem, _)| stem);
        let stem = url::form_urlencoded::parse(format!("x={stem}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| stem.to_string());
        (!stem.is_empty()).then_some(stem)
    }

    /// A stable fingerprint from the label set, for sources (Prometheus) that do
    /// not provide one. FNV-1a over sorted `name=value` pairs: the same labels give
    /// the same id in every process and version, so journals can refer to it.
    pub fn fingerprint_of(labels: &BTreeMap<String, String>) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (k, v) in labels {
            for b in k.bytes().chain([0xff]).chain(v.bytes()).chain([0xff]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{h:016x}")
    }

    /// Rank of the severity label for sorting: lower is more urgent.
    pub fn urgency(&self) -> u8 {
        severity_rank(self.severity_label())
    }
}

/// Orders label values from most to least urgent; unknown values sort last.
pub fn severity_rank(label: Option<&str>) -> u8 {
    match label.map(str::to_ascii_lowercase).as_deref() {
        Some("p0") => 0,
        Some("critical" | "page" | "p1") => 1,
        Some("error" | "high") => 2,
        Some("warning" | "p2") => 3,
        Some("info" | "low") => 4,
        _ => 5,
    }
}

/// Most urgent first; among equals, the longest-firing first, then by name so the
/// order is stable between refreshes.
pub fn compare(a: &Alert, b: &Alert) -> Ordering {
    a.urgency()
        .cmp(&b.urgency())
        .then(a.starts_at.cmp(&b.starts_at))
        .then_with(|| a.name().cmp(b.name()))
        .then_with(|| a.fingerprint.cmp(&b.fingerprint))
}

/// Counts per severity label for pane titles, most urgent first.
pub fn counts(alerts: &[Alert]) -> Vec<(String, usize)> {
    let mut by: BTreeMap<(u8, String), usize> = BTreeMap::new();
    for a in alerts {
        let label = a.severity_label().unwrap_or("none").to_ascii_lowercase();
        *by.entry((a.urgency(), label)).or_default() += 1;
    }
    by.into_iter().map(|((_, l), n)| (l, n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(name: &str, sev: &str, starts: &str) -> Alert {
        Alert {
            fingerprint: name.to_string(),
            labels: [("alertname", name), ("severity", sev)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            annotations: BTreeMap::new(),
            starts_at: starts.parse().expect("ts"),
            ..Alert::default()
        }
    }

    #[test]
    fn runbook_slug_takes_the_last_path_segment() {
        let mut a = alert("TargetDown", "warning", "2026-11-21T01:00:00Z");
        let slug = |a: &mut Alert, url: &str| {
            a.annotations.insert("runbook_url".into(), url.into());
            a.runbook_slug()
        };
        let cases = [
            (
                "https://runbooks.example.com/runbooks/general/targetdown",
                Some("targetdown"),
            ),
            (
                "https://github.com/org/rb/blob/main/KubePodCrashLooping.md",
                Some("KubePodCrashLooping"),
            ),
            (
                "https://x/runbooks/node/NodeNotReady/?ref=1#step",
                Some("NodeNotReady"),
            ),
            ("https://x/runbooks/disk%20full", Some("disk full")),
            ("not a url/but/a-path", Some("a-path")),
            ("https://x/", None),
        ];
        for (url, want) in cases {
            assert_eq!(slug(&mut a, url).as_deref(), want, "{url}");
        }
    }

    #[test]
    fn expression_comes_from_the_generator_url() {
        let mut a = alert("HighErrors", "critical", "2026-11-21T01:00:00Z");
        assert_eq!(a.expression(), None);
        a.generator_url = Some(
            "http://prom:9090/graph?g0.expr=rate%28http_errors_total%5B5m%5D%29+%3E+1&g0.tab=1"
                .into(),
        );
        assert_eq!(
            a.expression().as_deref(),
            Some("rate(http_errors_total[5m]) > 1")
        );
        a.generator_url = Some("::garbage::".into());
        assert_eq!(a.expression(), None);
    }

    #[test]
    fn fingerprints_are_stable_and_label_sensitive() {
        let a = alert("A", "warning", "2026-11-21T01:00:00Z");
        let mut b = a.clone();
        assert_eq!(
            Alert::fingerprint_of(&a.labels),
            Alert::fingerprint_of(&b.labels)
        );
        b.labels.insert("pod".into(), "x".into());
        assert_ne!(
            Alert::fingerprint_of(&a.labels),
            Alert::fingerprint_of(&b.labels)
        );
        // Pinned so journals written by older versions still match.
        assert_eq!(Alert::fingerprint_of(&BTreeMap::new()), "cbf29ce484222325");
    }

    #[test]
    fn sorts_by_severity_then_age() {
        let mut v = [
            alert("Warn", "warning", "2026-11-21T01:00:00Z"),
            alert("CritNew", "critical", "2026-11-21T02:00:00Z"),
            alert("Info", "info", "2026-11-20T01:00:00Z"),
            alert("CritOld", "critical", "2026-11-21T01:30:00Z"),
        ];
        v.sort_by(compare);
        let names: Vec<_> = v.iter().map(Alert::name).collect();
        assert_eq!(names, ["CritOld", "CritNew", "Warn", "Info"]);
        assert_eq!(
            counts(&v),
            [
                ("critical".to_string(), 2),
                ("warning".to_string(), 1),
                ("info".to_string(), 1)
            ]
        );
    }
}
