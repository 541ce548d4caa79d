//! A postmortem draft's pictures on disk: each chart of the report as an
//! SVG file beside the markdown, linked from it. Shared by `warroom export
//! -o FILE` and the cockpit's `:export`, so both write the same files.

use std::io::{self, Write};
use std::path::Path;

use crate::domain::export::{self, Report};
use crate::domain::incident::Incident;
use crate::perms::Perms;

/// Writes the main metric as `STEM-metric.svg` and each pinned chart as
/// `STEM-evidence-N.svg` beside `out` (the draft's path), and names the
/// files in the report so the markdown links them.
pub fn pictures(report: &mut Report, inc: &Incident, out: &Path, perms: &Perms) -> io::Result<()> {
    let marks = export::evidence::marks(inc);
    let stem = out
        .file_stem()
        .map_or_else(|| "postmortem".into(), |s| s.to_string_lossy().into_owned());
    let dir = out.parent().unwrap_or(Path::new(""));
    // Said of the draft, not of the first picture, when its folder is missing.
    if !dir.as_os_str().is_empty() && !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{}: no such folder for the draft", dir.display()),
        ));
    }
    let write = |name: &str, svg: String| -> io::Result<()> {
        let path = dir.join(name);
        perms
            .create_truncated(&path)
            .and_then(|mut f| f.write_all(svg.as_bytes()))
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
    };
    if let Some(m) = report.main_metric.as_mut() {
        let name = format!("{stem}-metric.svg");
        let title = format!("Main metric over the incident: {}", m.chart.query);
        write(&name, export::svg::chart(&m.chart, &title, &marks, true))?;
        m.image = Some(name);
    }
    // Numbered by chart: outputs and pods pinned between leave no gaps.
    let mut n = 0;
    for row in report.evidence.iter_mut() {
        let Some(chart) = &row.chart else {
            continue;
        };
        n += 1;
        let name = format!("{stem}-evidence-{n}.svg");
        let title = match row.caption.as_str() {
            "" => chart.query.clone(),
            c => c.to_string(),
        };
        write(&name, export::svg::chart(chart, &title, &marks, false))?;
        row.image = Some(name);
    }
    Ok(())
}
