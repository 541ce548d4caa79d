//! Pinning evidence: what a responder saw, recorded as it was, so the
//! postmortem shows it rather than a picture rebuilt from memory.

use super::msg::{Fx, record};
use super::state::{App, RANGES};
use crate::domain::incident::EventKind;
use crate::domain::incident::evidence::{
    MAX_LINES, MAX_POINTS, MAX_SERIES, Pinned, PinnedChart, PinnedOutput, PinnedPod, PinnedSeries,
    downsample,
};

/// `:pin [CAPTION]` (`p` in the Metrics pane): the chart as it is now —
/// query, range, the worst series downsampled, threshold, unit and the
/// current value — with the caption, into the timeline.
pub fn pin_chart(app: &mut App, caption: &str, fx: &mut Fx) {
    if super::incident::require(app).is_none() {
        return;
    }
    let m = &app.metric;
    let (Some(query), Some(data)) = (m.query.clone(), m.data.as_ref()) else {
        return app.error("nothing to pin: the Metrics pane has no chart yet");
    };
    let mut series: Vec<&crate::domain::metric::Series> = data
        .series
        .iter()
        .filter(|s| !s.points.is_empty())
        .collect();
    if series.is_empty() {
        return app.error("nothing to pin: the query returned no data");
    }
    // The worst series first, as the legend lists them.
    let last = |s: &crate::domain::metric::Series| s.points.last().map_or(f64::MIN, |p| p.1);
    series.sort_by(|a, b| {
        last(b)
            .total_cmp(&last(a))
            .then_with(|| a.name.cmp(&b.name))
    });
    let chart = PinnedChart {
        query,
        range_s: RANGES.get(m.range).map_or(900, |r| r.as_secs()),
        series: series
            .into_iter()
            .take(MAX_SERIES)
            .map(|s| {
                let points: Vec<(i64, f64)> = s.points.iter().map(|p| (p.0 as i64, p.1)).collect();
                PinnedSeries {
                    name: s.name.clone(),
                    points: downsample(&points, MAX_POINTS),
                }
            })
            .collect(),
        threshold: m.threshold,
        unit: m.unit.to_string(),
        current: data.current(),
    };
    let caption = crate::sanitize::line(caption.trim()).into_owned();
    record(
        app,
        EventKind::Evidence {
            caption,
            pinned: Pinned::Chart(chart),
        },
        fx,
    );
    app.info("chart pinned to the timeline (Enter on it in the Timeline shows it)");
}

/// `:pin output [CAPTION]` (`p` in the output panel): the latest command's
/// step, command, how it ended and its last lines, with the caption.
pub fn pin_output(app: &mut App, caption: &str, fx: &mut Fx) {
    if super::incident::require(app).is_none() {
        return;
    }
    let Some(run) = app.runs.latest.as_ref() else {
        return app.error("nothing to pin: no command has run here");
    };
    let skip = run.lines.len().saturating_sub(MAX_LINES);
    let output = PinnedOutput {
        step: run.step.clone(),
        command: run.command.clone(),
        outcome: run.outcome.as_ref().map(|(o, d)| {
            format!(
                "{} in {}",
                o.describe(),
                crate::domain::time::short_duration(*d)
            )
        }),
        lines: run.lines.iter().skip(skip).cloned().collect(),
        omitted: run.dropped + skip,
    };
    let caption = crate::sanitize::line(caption.trim()).into_owned();
    record(
        app,
        EventKind::Evidence {
            caption,
            pinned: Pinned::Output(output),
        },
        fx,
    );
    app.info("output pinned to the timeline");
}

/// `:pin pod [CAPTION]` (`P` in pod details): the pod's recent events and
/// the last lines of the log shown, with the caption.
pub fn pin_pod(app: &mut App, caption: &str, fx: &mut Fx) {
    if super::incident::require(app).is_none() {
        return;
    }
    let Some(d) = app.pods.detail.as_ref() else {
        return app.error("nothing to pin: open a pod's details first (Enter on a pod)");
    };
    let events = match &d.events {
        Some(Ok(v)) => v
            .iter()
            .map(|e| {
                let times = if e.count > 1 {
                    format!(" ×{}", e.count)
                } else {
                    String::new()
                };
                format!("{} {}{times}: {}", e.kind, e.reason, e.message)
            })
            .collect(),
        Some(Err(e)) => vec![format!("events could not be read: {e}")],
        None => Vec::new(),
    };
    let skip = d.log.len().saturating_sub(MAX_LINES);
    let pod = PinnedPod {
        pod: format!("{}/{}", d.pod.namespace, d.pod.name),
        container: d.container.clone(),
        previous: d.previous,
        events,
        log: d.log.iter().skip(skip).cloned().collect(),
    };
    let caption = crate::sanitize::line(caption.trim()).into_owned();
    record(
        app,
        EventKind::Evidence {
            caption,
            pinned: Pinned::Pod(pod),
        },
        fx,
    );
    app.info("pod details pinned to the timeline");
}
