//! Evidence pinned during an incident: what a responder saw, kept in the
//! journal as it was (a chart's points, bounded), so the postmortem shows
//! the picture the responders had rather than one rebuilt from memory.

use serde::{Deserialize, Serialize};

use super::words::one_line;

/// The most points kept per series: enough for the shape of a chart.
pub const MAX_POINTS: usize = 120;

/// The most series kept: the worst ones, as the pane's legend lists them.
pub const MAX_SERIES: usize = 5;

/// What was pinned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Pinned {
    /// The Metrics pane's chart as it was drawn.
    Chart(PinnedChart),
    /// The end of a step command's output, as the output panel showed it.
    Output(PinnedOutput),
    /// A pod's recent events and the end of its log.
    Pod(PinnedPod),
}

/// A pod's details as they were on screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PinnedPod {
    /// `namespace/name`.
    pub pod: String,
    /// The container whose log it is, when the pod has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The log is the previous (crashed) run's.
    #[serde(default)]
    pub previous: bool,
    /// Its recent events, one line each (`BackOff ×12: Back-off restarting…`).
    pub events: Vec<String>,
    /// The last log lines, at most [`MAX_LINES`].
    pub log: Vec<String>,
}

impl Pinned {
    /// One timeline row: what was pinned, in the responder's words first.
    pub fn describe(&self, caption: &str) -> String {
        match self {
            Pinned::Chart(c) => {
                let range =
                    crate::domain::time::short_duration(std::time::Duration::from_secs(c.range_s));
                let query = one_line(&c.query);
                match caption {
                    "" => format!("Pinned chart: {query} over {range}"),
                    words => format!("Pinned chart: {words} ({query} over {range})"),
                }
            }
            Pinned::Pod(p) => {
                let which = if p.previous {
                    "previous run's log"
                } else {
                    "log"
                };
                match caption {
                    "" => format!("Pinned pod {}: events and {which}", p.pod),
                    words => format!("Pinned pod {}: {words} (events and {which})", p.pod),
                }
            }
            Pinned::Output(o) => {
                let command = one_line(&o.command);
                match caption {
                    "" => format!("Pinned output of step {}: {command}", o.step),
                    words => format!("Pinned output: {words} (step {}: {command})", o.step),
                }
            }
        }
    }
}

/// The most output lines kept: the end of the output, where the answer is.
pub const MAX_LINES: usize = 40;

/// A command's output as it was on screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PinnedOutput {
    /// The step it ran for.
    pub step: String,
    /// The command as run.
    pub command: String,
    /// How it ended, in words, if it had (`exit 0 in 4s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The last lines, at most [`MAX_LINES`].
    pub lines: Vec<String>,
    /// Lines before them not kept.
    #[serde(default)]
    pub omitted: usize,
}

/// A chart as it was on screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PinnedChart {
    /// The PromQL charted.
    pub query: String,
    /// The range shown, in seconds.
    pub range_s: u64,
    /// The series drawn, each downsampled to at most [`MAX_POINTS`].
    pub series: Vec<PinnedSeries>,
    /// The threshold line, if the runbook set one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// What the values measure (`seconds`, `ratio`, …).
    pub unit: String,
    /// The value shown as "now".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<f64>,
}

/// One series of a pinned chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PinnedSeries {
    /// Its labels, as the legend showed them.
    pub name: String,
    /// (unix seconds, value), in time order.
    pub points: Vec<(i64, f64)>,
}

impl PinnedSeries {
    /// The smallest, largest and last value.
    pub fn span(&self) -> Option<(f64, f64, f64)> {
        let values = self.points.iter().map(|p| p.1).filter(|v| v.is_finite());
        let min = values.clone().reduce(f64::min)?;
        let max = values.reduce(f64::max)?;
        let last = self
            .points
            .iter()
            .rev()
            .map(|p| p.1)
            .find(|v| v.is_finite())?;
        Some((min, max, last))
    }

    /// The series' shape in `width` block characters (▁ to █), scaled
    /// between `lo` and `hi`.
    pub fn sparkline(&self, width: usize, lo: f64, hi: f64) -> String {
        const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
        let pts: Vec<f64> = downsample(&self.points, width)
            .into_iter()
            .map(|p| p.1)
            .collect();
        let spread = (hi - lo).max(f64::EPSILON);
        pts.iter()
            .map(|v| {
                if !v.is_finite() {
                    return ' ';
                }
                let i = ((v - lo) / spread * 7.0).round().clamp(0.0, 7.0) as usize;
                BARS[i]
            })
            .collect()
    }
}

impl PinnedChart {
    /// The smallest and largest value over every series (and the
    /// threshold), for a common scale.
    pub fn bounds(&self) -> Option<(f64, f64)> {
        let spans: Vec<(f64, f64, f64)> =
            self.series.iter().filter_map(PinnedSeries::span).collect();
        let lo = spans.iter().map(|s| s.0).reduce(f64::min)?.min(0.0);
        let hi = spans
            .iter()
            .map(|s| s.1)
            .reduce(f64::max)?
            .max(self.threshold.unwrap_or(f64::MIN));
        Some((lo, hi))
    }
}

impl PinnedChart {
    /// A chart of `data` as it would be pinned: the worst series first (by
    /// their last value, as the legend lists them), at most [`MAX_SERIES`],
    /// each downsampled; `None` when no series has a point.
    pub fn of(
        data: &crate::domain::metric::MetricData,
        range_s: u64,
        threshold: Option<f64>,
        unit: &str,
    ) -> Option<PinnedChart> {
        let mut series: Vec<&crate::domain::metric::Series> = data
            .series
            .iter()
            .filter(|s| !s.points.is_empty())
            .collect();
        if series.is_empty() {
            return None;
        }
        let last = |s: &crate::domain::metric::Series| s.points.last().map_or(f64::MIN, |p| p.1);
        series.sort_by(|a, b| {
            last(b)
                .total_cmp(&last(a))
                .then_with(|| a.name.cmp(&b.name))
        });
        Some(PinnedChart {
            query: data.query.clone(),
            range_s,
            series: series
                .into_iter()
                .take(MAX_SERIES)
                .map(|s| {
                    let points: Vec<(i64, f64)> =
                        s.points.iter().map(|p| (p.0 as i64, p.1)).collect();
                    PinnedSeries {
                        name: s.name.clone(),
                        points: downsample(&points, MAX_POINTS),
                    }
                })
                .collect(),
            threshold,
            unit: unit.to_string(),
            current: data.current(),
        })
    }

    /// The charts pinned of one query joined into one over all their
    /// points: what the journal alone can say of the incident's main metric
    /// when it was never recorded whole. `None` without a chart.
    pub fn joined(charts: &[&PinnedChart]) -> Option<PinnedChart> {
        let first = charts.first()?;
        let same: Vec<&&PinnedChart> = charts.iter().filter(|c| c.query == first.query).collect();
        let mut by_name: std::collections::BTreeMap<&str, Vec<(i64, f64)>> = Default::default();
        for c in &same {
            for s in &c.series {
                by_name.entry(&s.name).or_default().extend(&s.points);
            }
        }
        let mut series: Vec<PinnedSeries> = by_name
            .into_iter()
            .map(|(name, mut points)| {
                points.sort_by_key(|p| p.0);
                points.dedup_by_key(|p| p.0);
                PinnedSeries {
                    name: name.to_string(),
                    points: downsample(&points, MAX_POINTS),
                }
            })
            .collect();
        series.truncate(MAX_SERIES);
        let times = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
        let span = times.clone().max().unwrap_or(0) - times.min().unwrap_or(0);
        Some(PinnedChart {
            query: first.query.clone(),
            range_s: span.max(0) as u64,
            series,
            threshold: first.threshold,
            unit: first.unit.clone(),
            current: same.last().and_then(|c| c.current),
        })
    }
}

/// The stretch of time an incident's main metric is charted over: from a
/// little before it was detected (a fifth of its length, at least five
/// minutes, so the rise shows) to its resolution, or `now` while it is open.
pub fn window(inc: &super::Incident, now: jiff::Timestamp) -> (jiff::Timestamp, jiff::Timestamp) {
    let first = if inc.alert.is_manual() {
        inc.declared.at
    } else {
        inc.alert.starts_at.min(inc.declared.at)
    };
    let end = inc.resolved.as_ref().map_or(now, |m| m.at).max(first);
    let span = end.as_second() - first.as_second();
    let lead = (span / 5).max(300);
    let start = jiff::Timestamp::from_second(first.as_second() - lead).unwrap_or(first);
    (start, end)
}

/// At most `max` points, evenly chosen, the first and the last kept: the
/// shape survives, the size is bounded.
pub fn downsample<T: Copy>(points: &[(T, f64)], max: usize) -> Vec<(T, f64)> {
    if points.len() <= max || max < 2 {
        return points
            .iter()
            .take(max.max(points.len().min(1)))
            .copied()
            .collect();
    }
    let last = points.len() - 1;
    (0..max).map(|i| points[i * last / (max - 1)]).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn chart(points: &[(i64, f64)], current: f64) -> PinnedChart {
        PinnedChart {
            query: "q".into(),
            range_s: 60,
            series: vec![PinnedSeries {
                name: "s".into(),
                points: points.to_vec(),
            }],
            threshold: Some(1.0),
            unit: "ratio".into(),
            current: Some(current),
        }
    }

    #[test]
    fn pinned_charts_of_one_query_join_in_time_order_without_repeats() {
        let a = chart(&[(100, 1.0), (160, 2.0)], 2.0);
        let b = chart(&[(10, 0.5), (100, 1.0), (400, 3.0)], 3.0);
        let mut other = chart(&[(5, 9.0)], 9.0);
        other.query = "other".into();
        let j = PinnedChart::joined(&[&a, &b, &other]).unwrap();
        assert_eq!(
            j.series[0].points,
            vec![(10, 0.5), (100, 1.0), (160, 2.0), (400, 3.0)]
        );
        assert_eq!(
            (j.range_s, j.current, j.threshold),
            (390, Some(3.0), Some(1.0))
        );
        assert!(PinnedChart::joined(&[]).is_none());
    }

    #[test]
    fn downsampling_keeps_the_ends_and_the_bound() {
        let pts: Vec<(i64, f64)> = (0..1000).map(|i| (i, i as f64)).collect();
        let d = downsample(&pts, 120);
        assert_eq!(d.len(), 120);
        assert_eq!(d[0], (0, 0.0));
        assert_eq!(d[119], (999, 999.0));
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(downsample(&pts[..3], 120).len(), 3);
    }

    #[test]
    fn a_sparkline_follows_the_values() {
        let s = PinnedSeries {
            name: "x".into(),
            points: vec![(0, 0.0), (1, 0.5), (2, 1.0), (3, f64::NAN)],
        };
        assert_eq!(s.sparkline(4, 0.0, 1.0), "▁▅█ ");
        assert_eq!(s.span(), Some((0.0, 1.0, 1.0)));
    }

    #[test]
    fn a_pinned_chart_round_trips_through_json() {
        let c = Pinned::Chart(PinnedChart {
            query: "up".into(),
            range_s: 900,
            series: vec![PinnedSeries {
                name: "{job=\"a\"}".into(),
                points: vec![(1, 0.25)],
            }],
            threshold: Some(0.5),
            unit: "ratio".into(),
            current: Some(0.25),
        });
        let text = serde_json::to_string(&c).unwrap();
        assert!(text.starts_with("{\"what\":\"chart\""), "{text}");
        assert_eq!(serde_json::from_str::<Pinned>(&text).unwrap(), c);
    }
}
