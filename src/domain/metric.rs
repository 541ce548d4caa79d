//! Metric series for the Metrics pane.

use serde::{Deserialize, Serialize};

/// One time series: points are (unix seconds, value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Label set that tells this series apart, for the legend.
    pub name: String,
    /// Samples in time order.
    pub points: Vec<(f64, f64)>,
}

/// The answer to one range query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricData {
    /// The PromQL that was asked, so late answers to old queries can be dropped.
    pub query: String,
    /// One entry per returned series.
    pub series: Vec<Series>,
}

impl MetricData {
    /// The highest latest value over all series, shown as "now" in the pane
    /// title: with several series, the worst one is what matters.
    pub fn current(&self) -> Option<f64> {
        self.series
            .iter()
            .filter_map(|s| s.points.last().map(|p| p.1))
            .reduce(f64::max)
    }
}

/// Formats a value with an SI prefix (`1.2k`, `350m`) so axes stay narrow.
pub fn si(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let prefixes = [
        (1e12, "T"),
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
        (1.0, ""),
        (1e-3, "m"),
        (1e-6, "µ"),
    ];
    let a = v.abs();
    let (scale, p) = prefixes
        .iter()
        .copied()
        .find(|(s, _)| a >= *s)
        .unwrap_or((1e-9, "n"));
    let x = v / scale;
    let digits = if x.abs() >= 100.0 {
        0
    } else if x.abs() >= 10.0 {
        1
    } else {
        2
    };
    let s = format!("{x:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("{s}{p}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn si_prefixes() {
        assert_eq!(si(0.5), "500m");
        assert_eq!(si(1234.0), "1.23k");
        assert_eq!(si(0.0421), "42.1m");
        assert_eq!(si(2.0), "2");
        assert_eq!(si(-1500.0), "-1.5k");
        assert_eq!(si(0.0), "0");
    }
}
