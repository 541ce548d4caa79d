//! Alerts as every source (demo, Alertmanager, Prometheus) delivers them.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One firing alert. Labels identify it; annotations describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable identity across refreshes (Alertmanager's fingerprint).
    pub fingerprint: String,
    /// What identifies the alert: `alertname`, `severity`, `namespace`, ...
    pub labels: BTreeMap<String, String>,
    /// What describes it for humans: `summary`, `description`, `runbook_url`, ...
    pub annotations: BTreeMap<String, String>,
    /// When the alert started firing; ages are computed from it at draw time.
    pub starts_at: Timestamp,
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
        }
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
