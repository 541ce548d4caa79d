//! Time formatting shared by the journal, panes and export, so every surface shows
//! the same UTC instant the same way.

use jiff::{SignedDuration, Timestamp};

/// Journal timestamps carry milliseconds: round an instant to that precision.
pub fn to_millis(ts: Timestamp) -> Timestamp {
    Timestamp::from_millisecond(ts.as_millisecond()).unwrap_or(ts)
}

/// `2026-11-21 03:12:45` in UTC, for tables and exports.
pub fn utc_datetime(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

/// `03:12:45` in UTC, for the timeline pane.
pub fn utc_clock(ts: Timestamp) -> String {
    ts.strftime("%H:%M:%S").to_string()
}

/// `1h02m`, `14m`, `45s`: compact ages computed at draw time.
pub fn age(from: Timestamp, now: Timestamp) -> String {
    let secs = now.duration_since(from).as_secs().max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        s => format!("{}d{}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// `01:02:03` (or `2d 01:02:03`), for elapsed clocks and exported durations.
pub fn hms(d: SignedDuration) -> String {
    let secs = d.as_secs().max(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let body = format!(
        "{:02}:{:02}:{:02}",
        rest / 3600,
        (rest % 3600) / 60,
        rest % 60
    );
    if days > 0 {
        format!("{days}d {body}")
    } else {
        body
    }
}

/// Serde adapter writing `2026-11-21T03:12:45.123Z` (UTC, always milliseconds) so
/// journal lines have one fixed shape.
pub mod millis_serde {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the timestamp with exactly three fractional digits.
    pub fn serialize<S: Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ"))
    }

    /// Accepts any RFC 3339 instant.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("valid timestamp")
    }

    #[test]
    fn ages_are_compact() {
        let now = ts("2026-11-21T03:00:00Z");
        assert_eq!(age(ts("2026-11-21T02:59:15Z"), now), "45s");
        assert_eq!(age(ts("2026-11-21T02:46:00Z"), now), "14m");
        assert_eq!(age(ts("2026-11-21T01:58:00Z"), now), "1h02m");
        assert_eq!(age(ts("2026-11-19T00:00:00Z"), now), "2d3h");
        assert_eq!(age(ts("2026-11-21T03:00:05Z"), now), "0s");
    }

    #[test]
    fn hms_formats_durations() {
        assert_eq!(hms(SignedDuration::from_secs(3723)), "01:02:03");
        assert_eq!(hms(SignedDuration::from_secs(90_061)), "1d 01:01:01");
    }

    #[test]
    fn millis_serde_round_trips() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct W(#[serde(with = "millis_serde")] Timestamp);
        let json = serde_json::to_string(&W(ts("2026-11-21T03:12:45Z"))).expect("ser");
        assert_eq!(json, "\"2026-11-21T03:12:45.000Z\"");
        let back: W = serde_json::from_str("\"2026-11-21T03:12:45.123Z\"").expect("de");
        assert_eq!(back.0.as_millisecond() % 1000, 123);
    }
}
