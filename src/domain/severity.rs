//! Incident severity (P0/P1/P2) and the mapping from an alert's `severity` label.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Incident priority as the severity matrix defines it; P0 is the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Sev {
    /// Most customers down, data loss, or a safety or isolation breach.
    P0,
    /// A region down, or a feature broken for every tenant.
    P1,
    /// One tenant affected, a workaround exists, or cosmetic.
    P2,
}

impl fmt::Display for Sev {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Sev::P0 => "P0",
            Sev::P1 => "P1",
            Sev::P2 => "P2",
        })
    }
}

impl FromStr for Sev {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "P0" => Ok(Sev::P0),
            "P1" => Ok(Sev::P1),
            "P2" => Ok(Sev::P2),
            other => Err(format!("unknown severity '{other}': use P0, P1 or P2")),
        }
    }
}

/// Maps alert `severity` label values to incident severities. Teams name their
/// levels differently, so the table is configurable; lookups ignore case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityMap {
    map: BTreeMap<String, Sev>,
    fallback: Sev,
}

impl Default for SeverityMap {
    fn default() -> Self {
        let map = [
            ("critical", Sev::P1),
            ("page", Sev::P1),
            ("error", Sev::P1),
            ("high", Sev::P1),
            ("warning", Sev::P2),
            ("info", Sev::P2),
            ("low", Sev::P2),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        SeverityMap {
            map,
            fallback: Sev::P2,
        }
    }
}

impl SeverityMap {
    /// Default table patched with the user's entries.
    pub fn with_overrides(overrides: &BTreeMap<String, Sev>) -> Self {
        let mut m = Self::default();
        for (k, v) in overrides {
            m.map.insert(k.to_ascii_lowercase(), *v);
        }
        m
    }

    /// Severity for a label value; `P0`..`P2` written directly are honoured.
    pub fn map(&self, label: Option<&str>) -> Sev {
        let Some(label) = label else {
            return self.fallback;
        };
        if let Ok(sev) = label.parse() {
            return sev;
        }
        self.map
            .get(&label.to_ascii_lowercase())
            .copied()
            .unwrap_or(self.fallback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_mapping_and_overrides() {
        let m = SeverityMap::default();
        assert_eq!(m.map(Some("Critical")), Sev::P1);
        assert_eq!(m.map(Some("warning")), Sev::P2);
        assert_eq!(m.map(Some("p0")), Sev::P0);
        assert_eq!(m.map(Some("weird")), Sev::P2);
        assert_eq!(m.map(None), Sev::P2);
        let o = SeverityMap::with_overrides(&[("CRITICAL".to_string(), Sev::P0)].into());
        assert_eq!(o.map(Some("critical")), Sev::P0);
    }

    #[test]
    fn parse_rejects_unknown() {
        assert_eq!("p1".parse::<Sev>(), Ok(Sev::P1));
        assert!("P5".parse::<Sev>().is_err());
    }
}
