//! `warroom open`: from what a page points at to the cockpit on that alert's
//! first step, or (`--print`) what it resolves to, for scripts and chat bots.

use std::process::ExitCode;

use jiff::Timestamp;

use super::{Format, cockpit, out};
use crate::app::open::{KnownIncident, Opening};
use crate::config::Config;
use crate::domain::alert::Alert;
use crate::domain::open::{self, Target};
use crate::sources::alertmanager::Alertmanager;
use crate::sources::http::Http;
use crate::sources::prometheus::Prometheus;
use crate::sources::{demo, runbook_files};

/// Reads the target before the terminal is touched (bad input: exit 2),
/// then opens the cockpit on it or prints what it resolves to.
pub fn run(
    config: &Config,
    session: &cockpit::Session,
    args: &[String],
    (declare, print, format, demo): (bool, bool, Format, bool),
) -> anyhow::Result<ExitCode> {
    let target = match open::parse(args) {
        Ok(t) => t,
        Err(e) => {
            // The message quotes what was given: no escape sequence of it
            // reaches the terminal, and a huge argument is not echoed whole.
            let shown = crate::sanitize::line(&e);
            eprintln!("warroom open: {}", clip(&shown, 2_000));
            return Ok(ExitCode::from(2));
        }
    };
    if let Target::Incident(id) = &target {
        let store = crate::journal::Store::new(&config.data_dir);
        if !store.path(id).is_ok_and(|p| p.is_file()) {
            eprintln!(
                "warroom open: no incident '{id}' in {} (warroom list shows them)",
                store.dir().display()
            );
            return Ok(ExitCode::FAILURE);
        }
    }
    if print {
        return print_resolved(config, &target, format, demo);
    }
    cockpit::run(config, session, demo, Some(Opening { target, declare }))
}

/// At most `max` characters of `s`, saying how much was left out.
fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}… ({} more characters)", &s[..i], s[i..].chars().count()),
        None => s.to_string(),
    }
}

/// One alert the target matched, and what goes with it.
struct Found<'a> {
    alert: &'a Alert,
    runbook: Option<(String, String)>,
    incident: Option<&'a KnownIncident>,
}

fn print_resolved(
    config: &Config,
    target: &Target,
    format: Format,
    demo: bool,
) -> anyhow::Result<ExitCode> {
    let known = cockpit::known_incidents(config);
    if let Target::Incident(id) = target {
        let Some(k) = known.iter().find(|k| &k.id == id) else {
            eprintln!(
                "warroom open: no incident '{id}' in {}",
                config.data_dir.display()
            );
            return Ok(ExitCode::FAILURE);
        };
        match format {
            Format::Json => out!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "asked": target.to_string(),
                    "incident": {"id": k.id, "open": k.open, "alert": k.alert},
                }))?
            ),
            Format::Md => out!(
                "incident {} ({}) {}",
                k.id,
                if k.open { "open" } else { "resolved" },
                if k.alert.is_empty() {
                    "declared by hand (no alert)".to_string()
                } else {
                    format!("for alert {}", crate::sanitize::line(&k.alert))
                }
            ),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut alerts = fetch_alerts(config, demo)?;
    alerts.sort_by_key(Alert::urgency);
    let mut library = runbook_files::load(&config.runbook_dirs);
    runbook_files::add_shipped(&mut library);
    let found: Vec<Found<'_>> = alerts
        .iter()
        .filter(|a| match target {
            Target::Alerts(q) => q.matches(a),
            Target::Fingerprint(fp) => a.fingerprint.eq_ignore_ascii_case(fp),
            Target::Incident(_) => false,
        })
        .map(|a| Found {
            alert: a,
            runbook: library
                .for_alert(a)
                .map(|r| (r.id.clone(), r.path.display().to_string())),
            incident: known
                .iter()
                .rev()
                .find(|k| k.open && k.fingerprint == a.fingerprint),
        })
        .collect();
    match format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = found
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "alert": crate::sanitize::line(f.alert.name()),
                        "fingerprint": f.alert.fingerprint,
                        "labels": f.alert.labels.iter()
                            .map(|(k, v)| (k.clone(), crate::sanitize::line(v).into_owned()))
                            .collect::<std::collections::BTreeMap<_, _>>(),
                        "state": f.alert.state.as_str(),
                        "starts_at": crate::domain::time::utc_datetime(f.alert.starts_at),
                        "runbook": f.runbook.as_ref().map(|(id, path)| serde_json::json!({"id": id, "path": path})),
                        "incident": f.incident.map(|k| serde_json::json!({"id": k.id, "open": k.open})),
                    })
                })
                .collect();
            out!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "asked": target.to_string(),
                    "matches": rows,
                }))?
            );
        }
        Format::Md => {
            for f in &found {
                print_found(f);
            }
        }
    }
    if found.is_empty() {
        eprintln!("warroom open: no firing alert matches {target}; it may have resolved");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_found(f: &Found<'_>) {
    let a = f.alert;
    let labels: Vec<String> = a
        .labels
        .iter()
        .filter(|(k, _)| *k != "alertname")
        .map(|(k, v)| format!("{k}={:?}", crate::sanitize::line(v)))
        .collect();
    out!(
        "{} {{{}}}",
        crate::sanitize::line(a.name()),
        labels.join(",")
    );
    out!("  fingerprint  {}", a.fingerprint);
    out!(
        "  state        {}, since {} UTC",
        a.state.as_str(),
        crate::domain::time::utc_datetime(a.starts_at)
    );
    match &f.runbook {
        Some((id, path)) => out!("  runbook      {id} ({path})"),
        None => out!("  runbook      none matches this alert"),
    }
    match f.incident {
        Some(k) => out!("  incident     {} (open): warroom open joins it", k.id),
        None => out!("  incident     none open: Enter (or --declare) declares one"),
    }
}

/// The alerts now, from the demo, Alertmanager, or Prometheus.
fn fetch_alerts(config: &Config, demo: bool) -> anyhow::Result<Vec<Alert>> {
    if demo {
        let now = Timestamp::now();
        return Ok(demo::Scenario::new(now).alerts(now));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        if let Some(ep) = &config.alertmanager {
            let am = Alertmanager::new(Http::new(ep.clone())?);
            return am
                .alerts()
                .await
                .map_err(|e| anyhow::anyhow!("alertmanager {}: {e}", ep.display_url()));
        }
        if let Some(ep) = &config.prometheus {
            let p = Prometheus::new(Http::new(ep.clone())?);
            return p
                .alerts()
                .await
                .map_err(|e| anyhow::anyhow!("prometheus {}: {e}", ep.display_url()));
        }
        anyhow::bail!(
            "no Alertmanager or Prometheus is configured to find the alert in (--alertmanager URL, or --demo)"
        )
    })
}
