//! Pinned evidence in the timeline's entry view: a chart's shape and
//! values, a command's output, a pod's events and log, as they were pinned.

use ratatui::text::Line;

use super::text::{clean, wrap};
use super::theme;
use crate::domain::exercise::drill::ms_text;

/// A pinned chart in the timeline's entry view: what was charted, then
/// each series' shape on a common scale with its lowest, highest and last
/// value, and the threshold.
pub fn lines(
    caption: &str,
    pinned: &crate::domain::incident::evidence::Pinned,
    width: usize,
    reveal: bool,
) -> Vec<Line<'static>> {
    use crate::domain::incident::evidence::Pinned;
    use ratatui::style::Style;
    let shown = |s: &str| clean(&super::text::masked(s, reveal)).into_owned();
    let mut out = Vec::new();
    let c = match pinned {
        Pinned::Chart(c) => c,
        Pinned::Pod(p) => {
            let mut field = |name: &str, value: String| {
                out.extend(wrap(
                    vec![
                        (format!("{name:<10}"), theme::heading()),
                        (value, Style::new()),
                    ],
                    width,
                    10,
                ));
            };
            if !caption.is_empty() {
                field("Caption", shown(caption));
            }
            field("Pod", shown(&p.pod));
            if let Some(c) = &p.container {
                field("Container", shown(c));
            }
            out.push(Line::styled("Events (as pinned)", theme::heading()));
            for e in &p.events {
                out.extend(wrap(
                    vec![(format!("  {}", shown(e)), Style::new())],
                    width,
                    2,
                ));
            }
            let which = if p.previous {
                "Previous run's log"
            } else {
                "Log"
            };
            out.push(Line::styled(
                format!("{which} (as pinned)"),
                theme::heading(),
            ));
            for l in &p.log {
                out.extend(wrap(
                    vec![(format!("  {}", shown(l)), theme::dim())],
                    width,
                    2,
                ));
            }
            return out;
        }
        Pinned::Output(o) => {
            let mut field = |name: &str, value: String| {
                out.extend(wrap(
                    vec![
                        (format!("{name:<10}"), theme::heading()),
                        (value, Style::new()),
                    ],
                    width,
                    10,
                ));
            };
            if !caption.is_empty() {
                field("Caption", shown(caption));
            }
            field("Step", shown(&o.step));
            field("Ran", shown(&o.command));
            if let Some(outcome) = &o.outcome {
                field("Outcome", shown(outcome));
            }
            let more = match o.omitted {
                0 => String::new(),
                n => format!(" ({n} earlier lines not kept)"),
            };
            out.push(Line::styled(
                format!("Output (as pinned){more}"),
                theme::heading(),
            ));
            for l in &o.lines {
                out.extend(wrap(
                    vec![(format!("  {}", shown(l)), theme::dim())],
                    width,
                    2,
                ));
            }
            return out;
        }
    };
    let unit: crate::domain::unit::Unit = c.unit.parse().unwrap_or_default();
    let mut field = |name: &str, value: String| {
        out.extend(wrap(
            vec![
                (format!("{name:<10}"), theme::heading()),
                (value, Style::new()),
            ],
            width,
            10,
        ));
    };
    if !caption.is_empty() {
        field("Caption", shown(caption));
    }
    field("Query", shown(&c.query));
    field("Range", ms_text(c.range_s * 1000));
    if let Some(t) = c.threshold {
        field("Threshold", unit.format(t));
    }
    if let Some(v) = c.current {
        field("Now", unit.format(v));
    }
    out.push(Line::styled("Chart (as pinned)", theme::heading()));
    let Some((lo, hi)) = c.bounds() else {
        out.push(Line::styled("  no values", theme::dim()));
        return out;
    };
    let bar = width.saturating_sub(4).clamp(8, 60);
    for s in &c.series {
        out.extend(wrap(
            vec![(format!("  {}", shown(&s.name)), theme::dim())],
            width,
            2,
        ));
        out.push(Line::styled(
            format!("  {}", s.sparkline(bar, lo, hi)),
            theme::ok(),
        ));
        if let Some((min, max, last)) = s.span() {
            out.push(Line::styled(
                format!(
                    "  low {} · high {} · last {}",
                    unit.format(min),
                    unit.format(max),
                    unit.format(last)
                ),
                theme::dim(),
            ));
        }
    }
    out
}
