//! `warroom list`: the incidents in the data dir, newest first.

use super::out;
use crate::config::Config;
use crate::domain::time::{hms, utc_datetime};
use crate::journal::Store;

/// Prints the incidents as a table or JSON.
pub fn run(config: &Config, json: bool) -> anyhow::Result<()> {
    let store = Store::new(&config.data_dir);
    let (mut incidents, warnings) = store.list()?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    incidents.sort_by_key(|i| std::cmp::Reverse(i.declared.at));
    let dur = |d: Option<jiff::SignedDuration>| d.map(hms);
    if json {
        let rows: Vec<serde_json::Value> = incidents
            .iter()
            .map(|i| {
                serde_json::json!({
                    "id": i.id,
                    "severity": i.severity.to_string(),
                    "status": i.status.to_string(),
                    "title": crate::sanitize::line(&i.title),
                    "declared": utc_datetime(i.declared.at),
                    "time_to_acknowledge": dur(i.time_to_acknowledge()),
                    "time_to_mitigate": dur(i.time_to_mitigate()),
                    "time_to_resolve": dur(i.time_to_resolve()),
                })
            })
            .collect();
        out!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    if incidents.is_empty() {
        eprintln!("no incidents in {}", store.dir().display());
        return Ok(());
    }
    let id_w = incidents
        .iter()
        .map(|i| i.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    out!(
        "{:<id_w$}  SEV  STATE          OPENED (UTC)         TO ACK    TO MITIG  TO RESOLVE  TITLE",
        "ID"
    );
    let cell = |d: Option<jiff::SignedDuration>| dur(d).unwrap_or_else(|| "-".into());
    for i in incidents {
        out!(
            "{:<id_w$}  {:<3}  {:<13}  {}  {:<8}  {:<8}  {:<10}  {}",
            i.id,
            i.severity,
            i.status,
            utc_datetime(i.declared.at),
            cell(i.time_to_acknowledge()),
            cell(i.time_to_mitigate()),
            cell(i.time_to_resolve()),
            crate::sanitize::line(&i.title)
        );
    }
    Ok(())
}
