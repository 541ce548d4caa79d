//! Pinned evidence in the postmortem: each chart a responder pinned, with
//! its caption, what was charted and each series' shape and values — the
//! picture the responders had, from the journal alone.

use serde::Serialize;

use super::markdown::{cell, code};
use super::{at, clean};
use crate::domain::incident::evidence::{Pinned, PinnedChart, PinnedOutput, PinnedPod};
use crate::domain::incident::{Event, EventKind, Mark};

/// One pinned item as the report states it.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    /// When it was pinned, UTC.
    pub at: String,
    /// Who pinned it.
    pub by: String,
    /// The responder's words.
    pub caption: String,
    /// A chart, its points included (JSON carries them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<PinnedChart>,
    /// A command's output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<PinnedOutput>,
    /// A pod's events and log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod: Option<PinnedPod>,
    /// The chart's SVG file, written beside the postmortem (`-o FILE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// The incident's main metric over its window, as the report states it.
#[derive(Debug, Clone, Serialize)]
pub struct MainMetric {
    /// Where the points come from, in words ("recorded in the journal at
    /// 03:40 UTC by ana", "fetched from Prometheus at export time", …).
    pub source: String,
    /// The chart, its points included.
    pub chart: PinnedChart,
    /// Its SVG file, written beside the postmortem (`-o FILE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

impl MainMetric {
    /// The main metric from a chart found elsewhere than in the journal.
    pub fn from(chart: &PinnedChart, source: &str) -> MainMetric {
        MainMetric {
            source: source.to_string(),
            chart: cleaned(chart),
            image: None,
        }
    }
}

/// A chart's text cleaned for the report.
fn cleaned(c: &PinnedChart) -> PinnedChart {
    let mut chart = c.clone();
    chart.query = clean(&chart.query);
    for s in &mut chart.series {
        s.name = clean(&s.name);
    }
    chart
}

/// The main metric recorded by a `metric_window` event (`by` its author,
/// cleaned); `None` for other events.
pub fn main_metric(e: &Event, by: &str) -> Option<MainMetric> {
    let EventKind::MetricWindow { chart } = &e.kind else {
        return None;
    };
    let when = at(&Mark {
        at: e.effective(),
        by: String::new(),
    });
    Some(MainMetric {
        source: format!("recorded in the journal at {when} by {by}"),
        chart: cleaned(chart),
        image: None,
    })
}

/// The row of a pinned event, text cleaned; `None` for other events.
pub fn row(e: &Event) -> Option<EvidenceRow> {
    let EventKind::Evidence { caption, pinned } = &e.kind else {
        return None;
    };
    let mut pod = None;
    let (chart, output) = match pinned {
        Pinned::Pod(p) => {
            let mut p = p.clone();
            p.pod = clean(&p.pod);
            p.events = p.events.iter().map(|l| clean(l)).collect();
            p.log = p.log.iter().map(|l| clean(l)).collect();
            pod = Some(p);
            (None, None)
        }
        Pinned::Chart(c) => (Some(cleaned(c)), None),
        Pinned::Output(o) => {
            let mut o = o.clone();
            o.step = clean(&o.step);
            o.command = clean(&o.command);
            o.lines = o.lines.iter().map(|l| clean(l)).collect();
            (None, Some(o))
        }
    };
    Some(EvidenceRow {
        at: at(&Mark {
            at: e.effective(),
            by: String::new(),
        }),
        by: clean(&e.author),
        caption: clean(caption),
        chart,
        output,
        pod,
        image: None,
    })
}

/// The Evidence section: the main metric over the incident, then what the
/// responders pinned; ending with a blank line so the template's next
/// heading follows; empty when there is neither.
pub fn section(report: &super::Report) -> String {
    let rows = &report.evidence;
    if rows.is_empty() && report.main_metric.is_none() {
        return String::new();
    }
    let mut s = String::from("## Evidence\n");
    if let Some(m) = &report.main_metric {
        let unit: crate::domain::unit::Unit = m.chart.unit.parse().unwrap_or_default();
        let title = "Main metric over the incident";
        s.push_str(&format!(
            "\n### {title}\n\n{} over {}, {}",
            code(&m.chart.query),
            crate::domain::time::short_duration(std::time::Duration::from_secs(m.chart.range_s)),
            cell(&m.source)
        ));
        if let Some(t) = m.chart.threshold {
            s.push_str(&format!("; threshold {}", unit.format(t)));
        }
        s.push_str(". The markers are the incident's moments.\n\n");
        picture(&mut s, title, &m.chart, m.image.as_deref());
    }
    if !rows.is_empty() {
        s.push_str("\nWhat the responders pinned, as they saw it.\n");
    }
    for (i, r) in rows.iter().enumerate() {
        if let Some(o) = &r.output {
            output(&mut s, r, o, i);
            continue;
        }
        if let Some(p) = &r.pod {
            pod(&mut s, r, p, i);
            continue;
        }
        let Some(c) = &r.chart else {
            continue;
        };
        let unit: crate::domain::unit::Unit = c.unit.parse().unwrap_or_default();
        let title = match r.caption.as_str() {
            "" => format!("Chart {}", i + 1),
            words => cell(&words.replace('\n', " ")),
        };
        let range = crate::domain::time::short_duration(std::time::Duration::from_secs(c.range_s));
        s.push_str(&format!(
            "\n### {title}\n\nPinned {} by {}: {} over {range}",
            r.at,
            cell(&r.by),
            code(&c.query)
        ));
        if let Some(t) = c.threshold {
            s.push_str(&format!(", threshold {}", unit.format(t)));
        }
        if let Some(v) = c.current {
            s.push_str(&format!(", {} then", unit.format(v)));
        }
        s.push_str(".\n\n");
        picture(&mut s, &title, c, r.image.as_deref());
    }
    s.push('\n');
    s
}

/// A file name as a link target: a space, a bracket or anything past
/// ASCII letters, digits and `-._~/` percent-encoded, so no name can end
/// the link early (`pm (1).md` gives `pm%20%281%29-metric.svg`).
fn link(file: &str) -> String {
    file.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A chart's picture (or why it was skipped) and its table of series.
fn picture(s: &mut String, title: &str, c: &PinnedChart, image: Option<&str>) {
    let unit: crate::domain::unit::Unit = c.unit.parse().unwrap_or_default();
    match image {
        Some(file) => s.push_str(&format!(
            "![{} — {}]({})\n\n",
            cell(&title.replace(['[', ']'], "")),
            cell(&c.query.replace(['[', ']', '\n'], " ")),
            link(file)
        )),
        None => s.push_str(
            "_The chart's picture was skipped: `warroom export ID -o FILE` writes it beside the file._\n\n",
        ),
    }
    s.push_str("| Series | Shape | Low | High | Last |\n|---|---|---|---|---|\n");
    let (lo, hi) = c.bounds().unwrap_or((0.0, 1.0));
    for series in &c.series {
        let (min, max, last) = series
            .span()
            .map(|(a, b, c)| (unit.format(a), unit.format(b), unit.format(c)))
            .unwrap_or_else(|| ("—".into(), "—".into(), "—".into()));
        s.push_str(&format!(
            "| {} | {} | {min} | {max} | {last} |\n",
            cell(&series.name),
            series.sparkline(24, lo, hi)
        ));
    }
}

/// The incident's moments a chart marks, where they fall in its span.
pub fn marks(inc: &crate::domain::incident::Incident) -> Vec<(jiff::Timestamp, &'static str)> {
    let mut v = Vec::new();
    if !inc.alert.is_manual() {
        v.push((inc.alert.starts_at, "detected"));
    }
    v.push((inc.declared.at, "declared"));
    let moments = [
        (&inc.acknowledged, "acknowledged"),
        (&inc.mitigated, "mitigated"),
        (&inc.resolved, "resolved"),
    ];
    for (m, label) in moments {
        if let Some(m) = m {
            v.push((m.at, label));
        }
    }
    v
}

/// A pinned pod: its events as a list, its log's last lines fenced.
fn pod(s: &mut String, r: &EvidenceRow, p: &PinnedPod, i: usize) {
    let title = match r.caption.as_str() {
        "" => format!("Pod {}", i + 1),
        words => cell(&words.replace('\n', " ")),
    };
    let which = if p.previous {
        "previous run's log"
    } else {
        "log"
    };
    s.push_str(&format!(
        "\n### {title}\n\nPinned {} by {}: pod {}{}, its events and {which}.\n\n",
        r.at,
        cell(&r.by),
        code(&p.pod),
        p.container
            .as_deref()
            .map(|c| format!(" (container {})", code(c)))
            .unwrap_or_default()
    ));
    if p.events.is_empty() {
        s.push_str("No events were shown.\n");
    }
    for e in &p.events {
        s.push_str(&format!("- {}\n", super::markdown::prose_line(e)));
    }
    fenced(s, &p.log);
}

/// Lines in a fence longer than any backtick run in them.
fn fenced(s: &mut String, lines: &[String]) {
    let longest = lines
        .iter()
        .flat_map(|l| l.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    s.push_str(&format!("\n{fence}text\n"));
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s.push_str(&fence);
    s.push('\n');
}

/// A pinned output: the command, how it ended, and its last lines in a
/// fence no line can close.
fn output(s: &mut String, r: &EvidenceRow, o: &PinnedOutput, i: usize) {
    let title = match r.caption.as_str() {
        "" => format!("Output {}", i + 1),
        words => cell(&words.replace('\n', " ")),
    };
    s.push_str(&format!(
        "\n### {title}\n\nPinned {} by {}: step {} ran {}",
        r.at,
        cell(&r.by),
        cell(&o.step),
        code(&o.command)
    ));
    if let Some(out) = &o.outcome {
        s.push_str(&format!(" → {}", cell(out)));
    }
    if o.omitted > 0 {
        s.push_str(&format!(" ({} earlier lines not kept)", o.omitted));
    }
    s.push_str(".\n");
    fenced(s, &o.lines);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::incident::evidence::PinnedSeries;
    use crate::domain::incident::tests::{declared, ev};

    fn pinned(caption: &str, query: &str) -> Event {
        ev(
            "03:10:00",
            "ana",
            EventKind::Evidence {
                caption: caption.into(),
                pinned: Pinned::Chart(PinnedChart {
                    query: query.into(),
                    range_s: 900,
                    series: vec![PinnedSeries {
                        name: "{service=\"catalog\"}".into(),
                        points: vec![(0, 0.2), (60, 0.9), (120, 1.2)],
                    }],
                    threshold: Some(0.5),
                    unit: "seconds".into(),
                    current: Some(1.2),
                }),
            },
        )
    }

    #[test]
    fn a_pinned_chart_is_in_the_postmortem_with_its_caption_and_values() {
        let events = vec![
            ev("03:00:00", "ana", declared()),
            pinned("p99 tracks the deploy", "histogram_quantile(0.99, x)"),
        ];
        let r = super::super::report(&events, &Default::default()).unwrap();
        let md = section(&r);
        assert!(md.starts_with("## Evidence\n"), "{md}");
        assert!(md.contains("### p99 tracks the deploy"), "{md}");
        assert!(
            md.contains("`histogram_quantile(0.99, x)` over 15m, threshold 500 ms, 1.2 s then."),
            "{md}"
        );
        assert!(md.contains("| {service=\"catalog\"} | ▂▆█ |"), "{md}");
        assert!(md.contains("| 200 ms | 1.2 s | 1.2 s |"), "{md}");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json["evidence"][0]["chart"]["series"][0]["points"][1][1],
            0.9
        );
    }

    #[test]
    fn pinned_output_is_fenced_so_no_line_can_close_it() {
        let events = vec![
            ev("03:00:00", "ana", declared()),
            ev(
                "03:12:00",
                "bo",
                EventKind::Evidence {
                    caption: "the pool is exhausted".into(),
                    pinned: Pinned::Output(PinnedOutput {
                        step: "diagnose-2".into(),
                        command: "kubectl logs x".into(),
                        outcome: Some("exit 0 in 2s".into()),
                        lines: vec![
                            "```".into(),
                            "## not a heading".into(),
                            "pool exhausted".into(),
                        ],
                        omitted: 12,
                    }),
                },
            ),
        ];
        let r = super::super::report(&events, &Default::default()).unwrap();
        let md = section(&r);
        assert!(md.contains("### the pool is exhausted"), "{md}");
        assert!(
            md.contains(
                "step diagnose-2 ran `kubectl logs x` → exit 0 in 2s (12 earlier lines not kept)."
            ),
            "{md}"
        );
        assert!(
            md.contains("\n````text\n```\n## not a heading\npool exhausted\n````\n"),
            "{md}"
        );
    }

    #[test]
    fn hostile_captions_and_queries_cannot_reshape_the_section() {
        let events = vec![
            ev("03:00:00", "ana", declared()),
            pinned("## owned\n| x |\u{1b}[2J", "a` | ## b"),
        ];
        let r = super::super::report(&events, &Default::default()).unwrap();
        let md = section(&r);
        assert!(!md.contains('\u{1b}'), "{md}");
        assert!(!md.contains("\n## owned"), "{md}");
        assert_eq!(md.matches("\n### ").count(), 1, "{md}");
        assert!(!md.contains("\n## b"), "{md}");
        assert!(md.contains("``a` | ## b``"), "{md}");
    }

    #[test]
    fn a_pinned_pod_lists_its_events_and_fences_its_log() {
        let events = vec![
            ev("03:00:00", "ana", declared()),
            ev(
                "03:14:00",
                "ana",
                EventKind::Evidence {
                    caption: String::new(),
                    pinned: Pinned::Pod(PinnedPod {
                        pod: "shop/catalog-1".into(),
                        container: None,
                        previous: true,
                        events: vec!["Warning BackOff ×12: restarting <failed>".into()],
                        log: vec!["````".into(), "FATAL out of memory".into()],
                    }),
                },
            ),
        ];
        let r = super::super::report(&events, &Default::default()).unwrap();
        let md = section(&r);
        assert!(md.contains("### Pod 1"), "{md}");
        assert!(
            md.contains("pod `shop/catalog-1`, its events and previous run's log."),
            "{md}"
        );
        assert!(
            md.contains("- Warning BackOff ×12: restarting &lt;failed>"),
            "{md}"
        );
        assert!(
            md.contains("\n`````text\n````\nFATAL out of memory\n`````\n"),
            "{md}"
        );
    }

    #[test]
    fn picture_links_survive_any_file_name() {
        assert_eq!(link("pm-metric.svg"), "pm-metric.svg");
        assert_eq!(
            link("sp ace (1)-metric.svg"),
            "sp%20ace%20%281%29-metric.svg"
        );
        assert_eq!(link("é>.svg"), "%C3%A9%3E.svg");
    }
}
