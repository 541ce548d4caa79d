//! Metric series for the Metrics pane.

use serde::{Deserialize, Serialize};

use super::unit::Unit;

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

/// Bars from low to high, for a sparkline.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The shape of a series in `width` characters, low to high, the newest at
/// the right; empty when it has no finite points.
pub fn sparkline(points: &[(f64, f64)], width: usize) -> String {
    let values: Vec<f64> = points
        .iter()
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .collect();
    if values.is_empty() || width == 0 {
        return String::new();
    }
    // Each character stands for a run of samples: its last one.
    let n = values.len().min(width);
    let picked: Vec<f64> = (0..n)
        .map(|i| values[(i + 1) * values.len() / n - 1])
        .collect();
    let (lo, hi) = picked
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(*v), h.max(*v)));
    picked
        .iter()
        .map(|v| {
            if hi - lo <= f64::EPSILON {
                BARS[3]
            } else {
                let k = ((v - lo) / (hi - lo) * 7.0).round() as usize;
                BARS[k.min(7)]
            }
        })
        .collect()
}

/// A query's answer for the output panel and the record: how many series,
/// then one line per series with its latest value (in `unit`, so the record
/// says `1.2 s`, not a bare number) and its shape over the range asked, at
/// most `max` of them.
pub fn answer_lines(data: &MetricData, range: &str, max: usize, unit: Unit) -> Vec<String> {
    let n = data.series.len();
    let mut out = vec![match n {
        0 => "no series: the query matches nothing right now".to_string(),
        1 => format!("1 series; value now and the last {range}:"),
        n => format!("{n} series; values now and the last {range}:"),
    }];
    let name_width = data
        .series
        .iter()
        .take(max)
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0)
        .min(60);
    for s in data.series.iter().take(max) {
        let now = s
            .points
            .last()
            .map_or("—".to_string(), |p| unit.format(p.1));
        let name = if s.name.is_empty() { "{}" } else { &s.name };
        let name: String = name.chars().take(60).collect();
        out.push(format!(
            "{name:<name_width$}  {now:>8}  {}",
            sparkline(&s.points, 30)
        ));
    }
    if n > max {
        out.push(format!("… and {} more series", n - max));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_and_answers() {
        let pts: Vec<(f64, f64)> = (0..10).map(|i| (f64::from(i), f64::from(i))).collect();
        assert_eq!(sparkline(&pts, 10), "▁▂▃▃▄▅▆▆▇█");
        assert_eq!(sparkline(&pts, 5).chars().count(), 5);
        assert_eq!(sparkline(&[(0.0, 2.0), (1.0, 2.0)], 10), "▄▄");
        assert_eq!(sparkline(&[(0.0, f64::NAN)], 10), "");
        let data = MetricData {
            query: "q".into(),
            series: vec![
                Series {
                    name: "{pod=\"a\"}".into(),
                    points: pts.clone(),
                },
                Series {
                    name: String::new(),
                    points: vec![(0.0, 1500.0)],
                },
            ],
        };
        let lines = answer_lines(&data, "30 minutes", 1, Unit::Plain);
        assert_eq!(lines[0], "2 series; values now and the last 30 minutes:");
        assert!(lines[1].starts_with("{pod=\"a\"}"), "{lines:?}");
        assert!(lines[1].contains("  9  "), "{lines:?}");
        assert_eq!(lines[2], "… and 1 more series");
        // With a unit, the value says what it measures.
        let lines = answer_lines(&data, "30 minutes", 2, Unit::Seconds);
        assert!(lines[1].contains("     9 s  "), "{lines:?}");
        assert!(lines[2].contains("  25 min  "), "{lines:?}");
        let none = MetricData {
            query: "q".into(),
            series: vec![],
        };
        assert!(answer_lines(&none, "30 minutes", 5, Unit::Plain)[0].starts_with("no series"));
    }
}
