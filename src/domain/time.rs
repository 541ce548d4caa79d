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

/// An age as kubectl prints it (its `HumanDuration`): seconds under two
/// minutes (`45s`), minutes and seconds under ten (`5m30s`), minutes under
/// three hours (`95m`), hours and minutes under eight (`3h20m`), hours under
/// two days (`23h`), days and hours under eight days (`2d3h`), then days
/// (`45d`) and years (`3y20d`). Responders compare it with kubectl's output.
pub fn kube_age(from: Timestamp, now: Timestamp) -> String {
    let secs = now.duration_since(from).as_secs().max(0);
    let (mins, hours, days) = (secs / 60, secs / 3600, secs / 86_400);
    // A unit followed by the next one, left out when it is zero.
    let two = |a: i64, ua: &str, b: i64, ub: &str| match b {
        0 => format!("{a}{ua}"),
        _ => format!("{a}{ua}{b}{ub}"),
    };
    match secs {
        s if s < 120 => format!("{s}s"),
        _ if mins < 10 => two(mins, "m", secs % 60, "s"),
        _ if mins < 180 => format!("{mins}m"),
        _ if hours < 8 => two(hours, "h", mins % 60, "m"),
        _ if hours < 48 => format!("{hours}h"),
        _ if hours < 24 * 8 => two(days, "d", hours % 24, "h"),
        _ if days < 365 * 2 => format!("{days}d"),
        _ if days < 365 * 8 => two(days / 365, "y", days % 365, "d"),
        _ => format!("{}y", days / 365),
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

/// Parses the durations people type: `90s`, `15m`, `1h30m`, `2d`, `1w`. Used for
/// silences and poll intervals, where a bare number would be ambiguous. Days
/// and weeks are 24-hour days, whatever the calendar.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let bad = || format!("bad duration '{t}': use e.g. 30s, 15m, 1h30m, 2d");
    // Whole numbers with the units people type, nothing else (no signs,
    // fractions, ISO 8601 or words), however much more jiff would read.
    let plain = !t.is_empty()
        && t.chars().all(|c| c.is_ascii_digit() || "smhdw".contains(c))
        && t.ends_with(|c: char| c.is_ascii_alphabetic());
    if !plain {
        return Err(bad());
    }
    let span: jiff::Span = t.parse().map_err(|_| bad())?;
    let d = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|_| bad())?;
    if !d.is_positive() {
        return Err(bad());
    }
    std::time::Duration::try_from(d).map_err(|_| bad())
}

/// `1h30m`, `15m`, `45s`: the inverse of [`parse_duration`] for messages.
pub fn short_duration(d: std::time::Duration) -> String {
    use jiff::fmt::friendly::{Designator, Spacing, SpanPrinter};
    let d = jiff::SignedDuration::try_from(d).unwrap_or(jiff::SignedDuration::MAX);
    // Whole seconds, as people type them.
    let d = jiff::SignedDuration::from_secs(d.as_secs());
    SpanPrinter::new()
        .designator(Designator::Compact)
        .spacing(Spacing::None)
        .duration_to_string(&d)
}

/// A duration read from config text such as `15s`, `1m`, `2h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigDuration(pub std::time::Duration);

impl<'de> serde::Deserialize<'de> for ConfigDuration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ConfigDuration;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a duration such as 30s, 15m or 1h")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ConfigDuration, E> {
                parse_duration(v).map(ConfigDuration).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
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
    fn ages_are_printed_as_kubectl_prints_them() {
        let now = ts("2030-01-01T00:00:00Z");
        let ago = |secs: i64| kube_age(now - SignedDuration::from_secs(secs), now);
        let cases = [
            (-5, "0s"),
            (0, "0s"),
            (45, "45s"),
            (119, "119s"),
            (120, "2m"),
            (330, "5m30s"),
            (599, "9m59s"),
            (600, "10m"),
            (95 * 60, "95m"),
            (179 * 60 + 59, "179m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 20 * 60, "3h20m"),
            (8 * 3600, "8h"),
            (23 * 3600 + 59 * 60, "23h"),
            (47 * 3600, "47h"),
            (2 * 86_400, "2d"),
            (2 * 86_400 + 3 * 3600, "2d3h"),
            (7 * 86_400 + 23 * 3600, "7d23h"),
            (8 * 86_400, "8d"),
            (45 * 86_400, "45d"),
            (729 * 86_400, "729d"),
            (730 * 86_400, "2y"),
            (3 * 365 * 86_400 + 20 * 86_400, "3y20d"),
            (9 * 365 * 86_400, "9y"),
        ];
        for (secs, want) in cases {
            assert_eq!(ago(secs), want, "{secs}s");
        }
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
    fn durations_parse_and_print() {
        let d = |s| parse_duration(s).map(|d| d.as_secs());
        assert_eq!(d("1h"), Ok(3600));
        assert_eq!(d("1h30m"), Ok(5400));
        assert_eq!(d(" 90s "), Ok(90));
        assert_eq!(d("2d"), Ok(172_800));
        assert_eq!(d("1w"), Ok(604_800));
        assert_eq!(d("1d12h"), Ok(129_600));
        for bad in [
            "",
            "1",
            "h",
            "1x",
            "0s",
            "-1h",
            "1.5h",
            "99999999999999999999w",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            short_duration(std::time::Duration::from_secs(5400)),
            "1h30m"
        );
        assert_eq!(short_duration(std::time::Duration::from_secs(45)), "45s");
        assert_eq!(short_duration(std::time::Duration::from_secs(900)), "15m");
        assert_eq!(short_duration(std::time::Duration::from_secs(3601)), "1h1s");
        assert_eq!(short_duration(std::time::Duration::ZERO), "0s");
        assert_eq!(short_duration(std::time::Duration::from_millis(1500)), "1s");
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
