//! Evidence pinned during an incident: what a responder saw, kept in the
//! journal as it was (a chart's points, bounded), so the postmortem shows
//! the picture the responders had rather than one rebuilt from memory.

use serde::{Deserialize, Serialize};

use super::kind::one_line;

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
