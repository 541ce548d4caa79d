//! `warroom list`: the incidents in the data dir, newest first; drills and
//! game-days are marked as such, so none is ever read as a real incident.

use super::out;
use crate::config::Config;
use crate::domain::time::{hms, utc_datetime};
use crate::journal::Store;
use crate::journal::index::Summary;

/// `incident`, `drill` or `gameday`, as JSON rows say it.
fn kind(i: &Summary) -> &str {
    i.exercise.as_ref().map_or("incident", |x| x.kind.as_str())
}

/// The KIND column: `incident`, or `DRILL`/`GAMEDAY` in capitals so an
/// exercise stands out among real incidents.
fn kind_cell(i: &Summary) -> String {
    match kind(i) {
        "incident" => "incident".to_string(),
        k => crate::sanitize::line(k).to_uppercase(),
    }
}

/// A JSON row: the summary's facts, its kind, and a drill's score or a
/// game-day's outcome (null until it ended).
fn json_row(i: &Summary) -> serde_json::Value {
    let dur = |d: Option<jiff::SignedDuration>| d.map(hms);
    let mut row = serde_json::json!({
        "id": i.id,
        "kind": kind(i),
        "severity": i.severity.to_string(),
        "status": i.status.to_string(),
        "title": crate::sanitize::line(&i.title),
        "declared": utc_datetime(i.declared),
        "time_to_acknowledge": dur(i.time_to_acknowledge()),
        "time_to_mitigate": dur(i.time_to_mitigate()),
        "time_to_resolve": dur(i.time_to_resolve()),
    });
    if let (Some(x), Some(map)) = (i.exercise.as_ref(), row.as_object_mut()) {
        match x.kind.as_str() {
            "drill" => {
                let score = x
                    .score
                    .as_ref()
                    .map(|s| if s.passed { "PASS" } else { "FAIL" });
                map.insert("score".into(), serde_json::json!(score));
            }
            _ => {
                map.insert("outcome".into(), serde_json::json!(x.outcome));
            }
        }
    }
    row
}

/// Prints the incidents as a table or JSON.
pub fn run(config: &Config, json: bool) -> anyhow::Result<()> {
    super::data_dir_exists(config)?;
    let store = Store::new(&config.data_dir);
    let (mut incidents, warnings) = store.summaries()?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    incidents.sort_by_key(|i| std::cmp::Reverse(i.declared));
    if json {
        let rows: Vec<serde_json::Value> = incidents.iter().map(json_row).collect();
        out!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    if incidents.is_empty() {
        eprintln!("no incidents in {}", store.dir().display());
        return Ok(());
    }
    let cell = |d: Option<jiff::SignedDuration>| d.map_or_else(|| "-".into(), hms);
    let head = [
        "ID",
        "KIND",
        "SEV",
        "STATE",
        "OPENED (UTC)",
        "TO ACK",
        "TO MITIG",
        "TO RESOLVE",
        "TITLE",
    ]
    .map(String::from);
    let rows: Vec<[String; 9]> = incidents
        .iter()
        .map(|i| {
            [
                crate::sanitize::line(&i.id).into_owned(),
                kind_cell(i),
                i.severity.to_string(),
                i.status.to_string(),
                utc_datetime(i.declared),
                cell(i.time_to_acknowledge()),
                cell(i.time_to_mitigate()),
                cell(i.time_to_resolve()),
                crate::sanitize::line(&i.title).into_owned(),
            ]
        })
        .collect();
    for line in table(&head, &rows) {
        out!("{line}");
    }
    Ok(())
}

/// Rows padded so every column lines up, whatever a cell holds (a state
/// word, a duration of days); the last column is not padded.
pub(super) fn table<const N: usize>(head: &[String; N], rows: &[[String; N]]) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut widths = [0usize; N];
    for r in std::iter::once(head).chain(rows) {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    std::iter::once(head)
        .chain(rows)
        .map(|r| {
            let mut line = String::new();
            for (n, (c, w)) in r.iter().zip(widths).enumerate() {
                line.push_str(c);
                if n + 1 < r.len() {
                    line.push_str(&" ".repeat(w - c.width() + 2));
                }
            }
            line
        })
        .collect()
}
