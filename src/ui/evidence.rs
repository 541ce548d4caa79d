//! Pinned evidence in the timeline's entry view: a chart's shape and
//! values, a command's output, a pod's events and log, as they were pinned.

use ratatui::style::Style;
use ratatui::text::Line;

use super::text::{clean, wrap};
use super::theme;
use crate::domain::exercise::drill::ms_text;
use crate::domain::incident::evidence::{Pinned, PinnedChart};

/// The entry view's lines for one pinned item, secrets masked unless
/// revealed.
struct Entry {
    out: Vec<Line<'static>>,
    width: usize,
    reveal: bool,
}

impl Entry {
    fn shown(&self, s: &str) -> String {
        clean(&super::text::masked(s, self.reveal)).into_owned()
    }

    /// `Name      value`, wrapped under the value.
    fn field(&mut self, name: &str, value: String) {
        self.out.extend(wrap(
            vec![
                (format!("{name:<10}"), theme::heading()),
                (value, Style::new()),
            ],
            self.width,
            10,
        ));
    }

    /// A field of text from the record, masked.
    fn text(&mut self, name: &str, value: &str) {
        let v = self.shown(value);
        self.field(name, v);
    }

    fn heading(&mut self, title: String) {
        self.out.push(Line::styled(title, theme::heading()));
    }

    /// Indented lines from the record, masked and wrapped.
    fn block(&mut self, lines: &[String], style: Style) {
        for l in lines {
            let v = format!("  {}", self.shown(l));
            self.out.extend(wrap(vec![(v, style)], self.width, 2));
        }
    }
}

/// A pinned item in the timeline's entry view: a chart as each series'
/// shape on a common scale with its lowest, highest and last value; an
/// output or a pod's events and log as text.
pub fn lines(caption: &str, pinned: &Pinned, width: usize, reveal: bool) -> Vec<Line<'static>> {
    let mut e = Entry {
        out: Vec::new(),
        width,
        reveal,
    };
    if !caption.is_empty() {
        e.text("Caption", caption);
    }
    match pinned {
        Pinned::Chart(c) => chart(&mut e, c, "Chart (as pinned)"),
        Pinned::Pod(p) => {
            e.text("Pod", &p.pod);
            if let Some(c) = &p.container {
                e.text("Container", c);
            }
            e.heading("Events (as pinned)".into());
            e.block(&p.events, Style::new());
            let which = if p.previous {
                "Previous run's log"
            } else {
                "Log"
            };
            e.heading(format!("{which} (as pinned)"));
            e.block(&p.log, theme::dim());
        }
        Pinned::Output(o) => {
            e.text("Step", &o.step);
            e.text("Ran", &o.command);
            if let Some(outcome) = &o.outcome {
                e.text("Outcome", outcome);
            }
            let more = match o.omitted {
                0 => String::new(),
                n => format!(" ({n} earlier lines not kept)"),
            };
            e.heading(format!("Output (as pinned){more}"));
            e.block(&o.lines, theme::dim());
        }
    }
    e.out
}

/// The incident's main metric over its window, as recorded at resolution
/// or export.
pub fn window(c: &PinnedChart, width: usize, reveal: bool) -> Vec<Line<'static>> {
    let mut e = Entry {
        out: Vec::new(),
        width,
        reveal,
    };
    e.heading("Main metric over the incident (recorded for the postmortem)".into());
    chart(&mut e, c, "Chart (as recorded)");
    e.out
}

fn chart(e: &mut Entry, c: &PinnedChart, heading: &str) {
    let unit: crate::domain::unit::Unit = c.unit.parse().unwrap_or_default();
    e.text("Query", &c.query);
    e.field("Range", ms_text(c.range_s * 1000));
    if let Some(t) = c.threshold {
        e.field("Threshold", unit.format(t));
    }
    if let Some(v) = c.current {
        e.field("Now", unit.format(v));
    }
    e.heading(heading.into());
    let Some((lo, hi)) = c.bounds() else {
        e.out.push(Line::styled("  no values", theme::dim()));
        return;
    };
    let bar = e.width.saturating_sub(4).clamp(8, 60);
    for s in &c.series {
        e.block(std::slice::from_ref(&s.name), theme::dim());
        e.out.push(Line::styled(
            format!("  {}", s.sparkline(bar, lo, hi)),
            theme::ok(),
        ));
        if let Some((min, max, last)) = s.span() {
            e.out.push(Line::styled(
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
}
