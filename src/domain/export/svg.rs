//! A pinned chart as an SVG file for the postmortem: the series as lines,
//! the threshold dashed, and the incident's moments (declared, acknowledged,
//! mitigated, resolved) as labelled markers. Deterministic (same chart, same
//! bytes) and drawn on its own light panel, so it reads on light and dark
//! pages alike.

use std::fmt::Write;

use jiff::Timestamp;

use crate::domain::incident::evidence::PinnedChart;

const W: f64 = 800.0;
const H: f64 = 320.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;

/// Line colours, distinct on the light panel.
const COLOURS: [&str; 5] = ["#1f6feb", "#8250df", "#1a7f37", "#bf3989", "#9a6700"];

/// Text as XML character data: nothing in it can open a tag or an entity.
fn xml(s: &str) -> String {
    // Nor can it hold what XML forbids outright (U+FFFE, U+FFFF).
    s.chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// A one-pixel rule's centre on a pixel's middle, so it is drawn sharp
/// rather than smeared faint over two pixels.
fn crisp(v: f64) -> f64 {
    v.floor() + 0.5
}

/// At most `n` characters, cut with an ellipsis.
fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}

/// How wide a label of `text` is drawn at `size` px, near enough to keep
/// labels apart (a sans-serif averages a little over half its size).
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.58
}

/// The chart as SVG; `marks` are the incident's moments, drawn where they
/// fall inside the chart's time span. With `whole`, the span reaches every
/// moment too (the main metric over the whole incident, whose last sample
/// can come a moment before the resolution).
pub fn chart(c: &PinnedChart, title: &str, marks: &[(Timestamp, &str)], whole: bool) -> String {
    let unit: crate::domain::unit::Unit = c.unit.parse().unwrap_or_default();
    let times = c.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let moments = marks.iter().map(|m| m.0.as_second()).filter(|_| whole);
    let times = times.chain(moments);
    let (t0, t1) = match (times.clone().min(), times.max()) {
        (Some(a), Some(b)) if b > a => (a, b),
        (Some(a), _) => (a - 60, a + 60),
        _ => (0, 1),
    };
    let (lo, hi) = c.bounds().unwrap_or((0.0, 1.0));
    let hi = if hi > lo { hi * 1.1 } else { lo + 1.0 };
    let x = |t: i64| LEFT + (t - t0) as f64 / (t1 - t0) as f64 * (W - LEFT - RIGHT);
    let y = |v: f64| TOP + (1.0 - (v - lo) / (hi - lo)) * (H - TOP - BOTTOM);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(
        s,
        "<rect x=\"0\" y=\"0\" width=\"{W}\" height=\"{H}\" rx=\"6\" fill=\"#ffffff\" stroke=\"#d0d7de\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{LEFT}\" y=\"24\" font-size=\"14\" fill=\"#1f2328\">{}</text>",
        xml(&short(
            title,
            ((W - LEFT - RIGHT) / text_width("x", 14.0)) as usize
        ))
    );
    // Axes and their labels: lowest, middle and highest value; start,
    // middle and end time (UTC).
    let (x0, x1, y0, y1) = (LEFT, W - RIGHT, TOP, H - BOTTOM);
    let _ = writeln!(
        s,
        "<path d=\"M{x0:.1} {y0:.1} V{y1:.1} H{x1:.1}\" fill=\"none\" stroke=\"#57606a\"/>"
    );
    for v in [lo, (lo + hi) / 2.0, hi] {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#57606a\">{}</text>",
            LEFT - 6.0,
            y(v) + 4.0,
            xml(&unit.format(v))
        );
    }
    // The first time label starts at the axis, the last ends at its end.
    for (t, anchor) in [(t0, "start"), ((t0 + t1) / 2, "middle"), (t1, "end")] {
        let label = Timestamp::from_second(t)
            .map(|ts| ts.strftime("%H:%M UTC").to_string())
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" fill=\"#57606a\">{label}</text>",
            x(t),
            H - BOTTOM + 18.0
        );
    }
    if let Some(th) = c.threshold {
        let _ = writeln!(
            s,
            "<path d=\"M{x0:.1} {:.1} H{x1:.1}\" stroke=\"#cf222e\" stroke-dasharray=\"6 4\"/>",
            crisp(y(th))
        );
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#cf222e\">threshold {}</text>",
            x1 - 4.0,
            y(th) - 4.0,
            xml(&unit.format(th))
        );
    }
    // Each moment's label beside its rule, turned to the left near the
    // right edge, and moved a row down when it would touch one already
    // placed (two moments seconds apart).
    let mut placed: Vec<(f64, f64, usize)> = Vec::new();
    let mut in_order: Vec<&(Timestamp, &str)> = marks.iter().collect();
    in_order.sort_by_key(|m| m.0);
    for (at, label) in in_order {
        let t = at.as_second();
        if t < t0 || t > t1 {
            continue;
        }
        let at_x = x(t);
        let _ = writeln!(
            s,
            "<path d=\"M{:.1} {y0:.1} V{y1:.1}\" stroke=\"#6e7781\" stroke-dasharray=\"2 3\"/>",
            crisp(at_x)
        );
        let wide = text_width(label, 11.0);
        let (from, anchor) = if at_x + 3.0 + wide > W - RIGHT {
            (at_x - 3.0 - wide, "end")
        } else {
            (at_x + 3.0, "start")
        };
        let to = from + wide;
        let row = (0..)
            .find(|r| {
                !placed
                    .iter()
                    .any(|(a, b, pr)| pr == r && from < b + 4.0 && to + 4.0 > *a)
            })
            .unwrap_or(0);
        placed.push((from, to, row));
        let text_x = if anchor == "end" {
            at_x - 3.0
        } else {
            at_x + 3.0
        };
        let _ = writeln!(
            s,
            "<text x=\"{text_x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" fill=\"#57606a\" font-size=\"11\">{}</text>",
            y0 + 12.0 + row as f64 * 13.0,
            xml(label)
        );
    }
    for (i, series) in c.series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let mut d = String::new();
        let mut pen_up = true;
        for (t, v) in &series.points {
            if !v.is_finite() {
                pen_up = true;
                continue;
            }
            let _ = write!(
                d,
                "{}{:.1} {:.1} ",
                if pen_up { "M" } else { "L" },
                x(*t),
                y(*v)
            );
            pen_up = false;
        }
        let _ = writeln!(
            s,
            "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            d.trim_end()
        );
        // The legend: one name per column along the bottom.
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\">{}</text>",
            LEFT + i as f64 * 140.0,
            H - 10.0,
            xml(&short(&series.name, 22))
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::incident::evidence::PinnedSeries;

    fn sample() -> PinnedChart {
        PinnedChart {
            query: "histogram_quantile(0.99, x)".into(),
            range_s: 900,
            series: vec![PinnedSeries {
                name: "{service=\"catalog\"} <&>".into(),
                points: (0..10)
                    .map(|i| (1_795_000_000 + i * 60, 0.2 + i as f64 * 0.1))
                    .collect(),
            }],
            threshold: Some(0.5),
            unit: "seconds".into(),
            current: Some(1.1),
        }
    }

    #[test]
    fn the_svg_is_deterministic_escaped_and_marks_the_incident() {
        let declared = Timestamp::from_second(1_795_000_180).unwrap();
        let a = chart(&sample(), "p99 <b>", &[(declared, "declared")], false);
        let b = chart(&sample(), "p99 <b>", &[(declared, "declared")], false);
        assert_eq!(a, b);
        assert!(a.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(a.ends_with("</svg>\n"));
        assert!(a.contains("p99 &lt;b&gt;"), "{a}");
        assert!(a.contains("{service=&quot;catalog&quot;} &lt;…"), "{a}");
        assert!(a.contains("threshold 500 ms"), "{a}");
        assert!(a.contains(">declared</text>"), "{a}");
        // Every tag opened is closed (the elements are empty or text).
        assert_eq!(a.matches("<text").count(), a.matches("</text>").count());
        let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden/evidence-chart.svg");
        if std::env::var_os("WARROOM_UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &a).unwrap();
        }
        assert_eq!(
            a,
            std::fs::read_to_string(&golden).unwrap(),
            "regenerate with WARROOM_UPDATE_GOLDEN=1"
        );
    }

    /// The chart drawn by a real SVG renderer (resvg) onto a black and a
    /// white page, read back pixel by pixel.
    fn rendered(svg: &str, page: resvg::tiny_skia::Color) -> resvg::tiny_skia::Pixmap {
        let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default())
            .expect("the SVG parses");
        let mut pixmap = resvg::tiny_skia::Pixmap::new(W as u32, H as u32).unwrap();
        pixmap.fill(page);
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::default(),
            &mut pixmap.as_mut(),
        );
        pixmap
    }

    /// The colour at (x, y), as (r, g, b).
    fn at(p: &resvg::tiny_skia::Pixmap, x: f64, y: f64) -> (u8, u8, u8) {
        let c = p.pixel(x.round() as u32, y.round() as u32).unwrap();
        (c.red(), c.green(), c.blue())
    }

    fn near(a: (u8, u8, u8), hex: &str) -> bool {
        let v = |i: usize| i32::from_str_radix(&hex[i..i + 2], 16).unwrap();
        let d = (i32::from(a.0) - v(1)).abs()
            + (i32::from(a.1) - v(3)).abs()
            + (i32::from(a.2) - v(5)).abs();
        d < 60
    }

    #[test]
    fn a_renderer_draws_the_line_threshold_and_markers_where_the_data_says() {
        let c = sample();
        let declared = Timestamp::from_second(1_795_000_180).unwrap();
        let resolved = Timestamp::from_second(1_795_000_480).unwrap();
        let svg = chart(
            &c,
            "p99",
            &[(declared, "declared"), (resolved, "resolved")],
            false,
        );
        // The chart's own scale, as drawn.
        let (t0, t1) = (1_795_000_000_i64, 1_795_000_540_i64);
        let (lo, hi) = c.bounds().unwrap();
        let hi = hi * 1.1;
        let x = |t: i64| LEFT + (t - t0) as f64 / (t1 - t0) as f64 * (W - LEFT - RIGHT);
        let y = |v: f64| TOP + (1.0 - (v - lo) / (hi - lo)) * (H - TOP - BOTTOM);
        for page in [
            resvg::tiny_skia::Color::BLACK,
            resvg::tiny_skia::Color::WHITE,
        ] {
            let p = rendered(&svg, page);
            // Its own light panel on either page: dark lines stay readable.
            assert_eq!(at(&p, 400.0, 300.0), (255, 255, 255));
            // The series passes through each point (within a pixel or two).
            for (t, v) in &c.series[0].points {
                // A line ends where its last point is: look just inside.
                let px = x(*t).clamp(LEFT + 1.0, W - RIGHT - 1.0);
                let hit = (-3..=3).any(|d| near(at(&p, px, y(*v) + f64::from(d)), COLOURS[0]));
                assert!(hit, "no series line at t={t} v={v}");
            }
            // The threshold is a dashed red line at its value.
            let row: Vec<bool> = (LEFT as u32 + 2..(W - RIGHT) as u32 - 2)
                .map(|px| near(at(&p, f64::from(px), y(0.5).floor()), "#cf222e"))
                .collect();
            let red = row.iter().filter(|r| **r).count();
            assert!(
                red > row.len() / 3 && red < row.len(),
                "threshold: {red} of {}",
                row.len()
            );
            // Each moment is a dotted grey rule at its time, top to bottom.
            for m in [declared, resolved] {
                let grey = (TOP as u32..(H - BOTTOM) as u32)
                    .filter(|py| near(at(&p, x(m.as_second()).floor(), f64::from(*py)), "#6e7781"))
                    .count();
                assert!(grey > 40, "marker at {m}: {grey} grey pixels");
            }
            // Nothing is drawn at a time no moment has.
            let quiet = (TOP as u32..(H - BOTTOM) as u32)
                .filter(|py| near(at(&p, x(t0 + 30).floor(), f64::from(*py)), "#6e7781"))
                .count();
            assert_eq!(quiet, 0);
        }
    }

    #[test]
    fn the_whole_incident_reaches_every_moment_and_labels_keep_apart() {
        let c = sample();
        let at = |s: i64| Timestamp::from_second(1_795_000_000 + s).unwrap();
        // Declared and acknowledged seconds apart; resolved after the last
        // sample; a caption XML forbids parts of.
        let marks = [
            (at(120), "declared"),
            (at(127), "acknowledged"),
            (at(600), "resolved"),
        ];
        let pinned = chart(&c, "t\u{FFFF}", &marks, false);
        assert!(
            !pinned.contains(">resolved<"),
            "outside a pinned chart's span"
        );
        assert!(!pinned.contains('\u{FFFF}'));
        let whole = chart(&c, "t", &marks, true);
        assert!(whole.contains(">resolved</text>"), "{whole}");
        let row_of = |label: &str| {
            let line = whole
                .lines()
                .find(|l| l.ends_with(&format!(">{label}</text>")))
                .unwrap();
            let y = line.split("y=\"").nth(1).unwrap();
            y.split('"').next().unwrap().parse::<f64>().unwrap()
        };
        assert!(row_of("acknowledged") > row_of("declared"), "{whole}");
        // The last moment sits at the right edge: its label ends there.
        let resolved = whole
            .lines()
            .find(|l| l.ends_with(">resolved</text>"))
            .unwrap();
        assert!(resolved.contains("text-anchor=\"end\""), "{resolved}");
    }
}
