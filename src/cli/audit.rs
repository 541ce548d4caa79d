//! `warroom audit`: every change warroom made to a cluster, oldest first,
//! from the audit log in the data dir.

use jiff::Timestamp;

use super::out;
use crate::config::Config;
use crate::domain::time::{parse_duration, utc_datetime};
use crate::journal::audit::{AuditLog, AuditRecord};
use crate::sanitize::line;

/// Output of `warroom audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// One aligned line per change, for people.
    Text,
    /// The records as a JSON array, for tools.
    Json,
}

/// Prints the audit log, from `since` (a duration back from now, or a
/// time) when given.
pub fn run(config: &Config, since: Option<&str>, format: AuditFormat) -> anyhow::Result<()> {
    super::data_dir_exists(config)?;
    let since = since
        .map(|s| parse_since(s, Timestamp::now()))
        .transpose()
        .map_err(|e| anyhow::anyhow!(e))?;
    let log = AuditLog::new(&config.data_dir);
    let (records, warnings) = log.read(since)?;
    for w in warnings {
        eprintln!("warning: {}", line(&w));
    }
    if format == AuditFormat::Json {
        out!("{}", serde_json::to_string_pretty(&records)?);
        return Ok(());
    }
    if records.is_empty() {
        eprintln!(
            "no cluster changes recorded in {}{}",
            log.dir().display(),
            if since.is_some() { " in that time" } else { "" }
        );
        return Ok(());
    }
    let head = [
        "WHEN (UTC)",
        "WHO",
        "HOST",
        "CONTEXT",
        "NAMESPACE",
        "ANSWER",
        "REQUEST",
        "RESULT",
    ]
    .map(String::from);
    let rows: Vec<[String; 8]> = records.iter().map(row).collect();
    for l in super::list::table(&head, &rows) {
        out!("{l}");
    }
    Ok(())
}

/// One change as cells, every foreign text cleaned of escape sequences.
fn row(r: &AuditRecord) -> [String; 8] {
    let answer = match (r.answer.status, r.answer.ok) {
        (Some(s), true) => format!("{s} applied"),
        (Some(s), false) => format!("{s} refused"),
        (None, _) => "no answer".to_string(),
    };
    [
        utc_datetime(r.ts),
        line(&r.author).into_owned(),
        line(&r.host).into_owned(),
        line(&r.context).into_owned(),
        line(&r.namespace).into_owned(),
        answer,
        line(&format!("{} {}", r.request.method, r.request.path)).into_owned(),
        line(&r.answer.detail).into_owned(),
    ]
}

/// `--since`: a duration back from `now` (`2h`, `7d`), an RFC 3339 time, or
/// a UTC date or date and time (`2026-11-21`, `2026-11-21T03:00`).
pub fn parse_since(text: &str, now: Timestamp) -> Result<Timestamp, String> {
    let t = text.trim();
    if let Ok(d) = parse_duration(t) {
        let back = jiff::SignedDuration::try_from(d).map_err(|e| e.to_string())?;
        return now
            .checked_sub(back)
            .map_err(|_| format!("--since {t} reaches before any time warroom knows"));
    }
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    let utc =
        |dt: jiff::civil::DateTime| dt.to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp());
    if let Ok(dt) = t.parse::<jiff::civil::DateTime>() {
        return utc(dt).map_err(|e| e.to_string());
    }
    if let Ok(d) = t.parse::<jiff::civil::Date>() {
        return utc(d.to_datetime(jiff::civil::Time::midnight())).map_err(|e| e.to_string());
    }
    Err(format!(
        "--since '{t}': use a duration back from now (30m, 2h, 7d) or a time (2026-11-21, 2026-11-21T03:00, 2026-11-21T03:00:00Z; UTC)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_durations_times_and_dates() {
        let now: Timestamp = "2026-11-21T03:00:00Z".parse().expect("a time");
        let at = |s: &str| parse_since(s, now).map(|t| t.to_string());
        assert_eq!(at("2h").as_deref(), Ok("2026-11-21T01:00:00Z"));
        assert_eq!(at("1d").as_deref(), Ok("2026-11-20T03:00:00Z"));
        assert_eq!(
            at("2026-11-20T10:00:00Z").as_deref(),
            Ok("2026-11-20T10:00:00Z")
        );
        assert_eq!(at("2026-11-20").as_deref(), Ok("2026-11-20T00:00:00Z"));
        assert_eq!(
            at("2026-11-20T10:30").as_deref(),
            Ok("2026-11-20T10:30:00Z")
        );
        assert!(at("yesterday").is_err_and(|e| e.contains("a duration back from now")));
    }
}
