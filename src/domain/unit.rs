//! Units of metric values, and how a value is written with its unit. A bare
//! SI prefix reads wrongly on an incident screen (`500m` looks like five
//! hundred minutes, `1.2k` like a count), so values are written with their
//! unit (`500 ms`, `43.7 %`, `1.5 GiB`) or, when the unit is unknown, as
//! plain numbers with no prefix at all.

use std::fmt;
use std::str::FromStr;

/// What a metric's values measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// Durations in seconds: written as µs, ms, s, min, h or d.
    Seconds,
    /// A fraction where 1 is everything: written as a percentage.
    Ratio,
    /// Already a percentage (0–100).
    Percent,
    /// Bytes: written in binary multiples (KiB, MiB, GiB, …).
    Bytes,
    /// Unknown or a plain count: the number alone, never with a prefix.
    #[default]
    Plain,
}

/// The words a runbook's front matter `unit:` may use.
pub const UNIT_NAMES: &[&str] = &["seconds", "ratio", "percent", "bytes", "none"];

impl FromStr for Unit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "seconds" | "second" | "s" => Ok(Unit::Seconds),
            "ratio" => Ok(Unit::Ratio),
            "percent" | "%" => Ok(Unit::Percent),
            "bytes" | "byte" => Ok(Unit::Bytes),
            "none" | "" => Ok(Unit::Plain),
            other => Err(format!(
                "unit '{other}' is not one warroom knows: use {}",
                UNIT_NAMES.join(", ")
            )),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::Seconds => "seconds",
            Unit::Ratio => "ratio",
            Unit::Percent => "percent",
            Unit::Bytes => "bytes",
            Unit::Plain => "none",
        })
    }
}

impl Unit {
    /// The unit a chart is drawn in: the runbook's `unit:` when it names a
    /// known one, else a guess from the query's metric names, else plain.
    pub fn resolve(declared: Option<&str>, query: Option<&str>) -> Unit {
        declared
            .and_then(|d| d.parse().ok())
            .or_else(|| query.and_then(guess))
            .unwrap_or_default()
    }

    /// `v` written in this unit.
    pub fn format(self, v: f64) -> String {
        format_value(v, self)
    }
}

/// `v` written with its unit: `500 ms`, `1.2 s`, `43.7 %`, `1.5 GiB`, or a
/// plain `0.437` / `1234` / `1.2e6`. NaN and infinities are written the way
/// Prometheus writes them, without a unit.
pub fn format_value(v: f64, unit: Unit) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    match unit {
        Unit::Plain => number(v),
        Unit::Ratio => format!("{} %", number(v * 100.0)),
        Unit::Percent => format!("{} %", number(v)),
        Unit::Seconds => scaled(v, SECONDS),
        Unit::Bytes => scaled(v, BYTES),
    }
}

/// Scales and their names for durations, smallest first: a value takes the
/// largest scale it reaches.
const SECONDS: &[(f64, &str)] = &[
    (1e-9, "ns"),
    (1e-6, "µs"),
    (1e-3, "ms"),
    (1.0, "s"),
    (60.0, "min"),
    (3600.0, "h"),
    (86_400.0, "d"),
];

/// Binary multiples, as `free -h` and Kubernetes quantities write them.
const BYTES: &[(f64, &str)] = &[
    (1.0, "B"),
    (1024.0, "KiB"),
    (1_048_576.0, "MiB"),
    (1_073_741_824.0, "GiB"),
    (1_099_511_627_776.0, "TiB"),
    (1_125_899_906_842_624.0, "PiB"),
];

fn scaled(v: f64, scales: &[(f64, &str)]) -> String {
    let a = v.abs();
    if a == 0.0 {
        let base = scales
            .iter()
            .find(|(s, _)| *s == 1.0)
            .map_or("", |(_, n)| *n);
        return format!("0 {base}");
    }
    // The largest scale the value reaches; hours stay hours up to two days
    // ("36 h" reads better than "1.5 d").
    let mut i = scales
        .iter()
        .rposition(|(s, n)| a >= *s && !(*n == "d" && a < 2.0 * s))
        .unwrap_or(0);
    // Rounding can reach the next scale (999.96 ms would read "1000 ms"):
    // then the value is written in that one.
    if let (Some((scale, _)), Some((next, name))) = (scales.get(i), scales.get(i + 1))
        && *name != "d"
        && number(v / scale).parse::<f64>().unwrap_or(0.0).abs() * scale >= *next
    {
        i += 1;
    }
    match scales.get(i) {
        Some((scale, name)) => format!("{} {name}", number(v / scale)),
        None => number(v),
    }
}

/// A plain number with about three significant digits and no prefix:
/// `0.437`, `43.7`, `1234`; below 0.001 and from a million up, scientific
/// (`1.2e-4`, `1.2e6`), so the width stays small and nothing looks like a
/// unit.
pub fn number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        let s = format!("{v:.2e}");
        return match s.split_once('e') {
            Some((mantissa, exp)) => format!("{}e{exp}", trim_zeros(mantissa)),
            None => s,
        };
    }
    let digits = (2 - a.log10().floor() as i32).clamp(0, 5) as usize;
    let s = format!("{v:.digits$}");
    let s = trim_zeros(&s);
    if s == "-0" { "0".to_string() } else { s }
}

/// `1.50` → `1.5`, `2.00` → `2`, `100` stays.
fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// The unit of one metric by its name's suffix (Prometheus naming
/// conventions); `None` for counts, totals and names that say nothing.
fn of_name(name: &str) -> Option<Unit> {
    // A counter of seconds or bytes becomes a rate, which is neither.
    if name.ends_with("_total") || name.ends_with("_count") || name.contains("_timestamp") {
        return None;
    }
    let base = name
        .strip_suffix("_bucket")
        .or_else(|| name.strip_suffix("_sum"))
        .unwrap_or(name);
    if base.ends_with("_seconds") {
        Some(Unit::Seconds)
    } else if base.ends_with("_bytes") {
        Some(Unit::Bytes)
    } else if base.ends_with("_ratio") {
        Some(Unit::Ratio)
    } else if base.ends_with("_percent") {
        Some(Unit::Percent)
    } else {
        None
    }
}

/// Functions whose answer counts or stamps things, whatever they are given.
const COUNTING: &[&str] = &[
    "count",
    "count_values",
    "count_over_time",
    "absent",
    "absent_over_time",
    "changes",
    "resets",
    "timestamp",
    "time",
];

/// Functions whose answer is per second: `rate(x_bytes)` is bytes per second.
const PER_SECOND: &[&str] = &["rate", "irate", "deriv"];

/// Words of PromQL that are neither metrics nor functions.
const KEYWORDS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "offset",
    "bool",
    "and",
    "or",
    "unless",
    "atan2",
];

/// What a query is made of, as far as units go.
#[derive(Debug, Default)]
struct Parts<'a> {
    metrics: Vec<&'a str>,
    functions: Vec<&'a str>,
    divides: bool,
}

/// Metric names, function names and whether it divides, read from a query
/// while skipping strings, label matchers, ranges and grouping labels.
fn parts(query: &str) -> Parts<'_> {
    let mut p = Parts::default();
    let bytes = query.as_bytes();
    let mut i = 0;
    let mut skip_group = false;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' | b'\'' | b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != c {
                    if bytes[i] == b'\\' && c != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'{' | b'[' => {
                let close = if c == b'{' { b'}' } else { b']' };
                while i < bytes.len() && bytes[i] != close {
                    i += 1;
                }
                i += 1;
            }
            b'(' if skip_group => {
                skip_group = false;
                while i < bytes.len() && bytes[i] != b')' {
                    i += 1;
                }
                i += 1;
            }
            b'/' => {
                p.divides = true;
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b':' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b':')
                {
                    i += 1;
                }
                let word = &query[start..i];
                let rest = query[i..].trim_start();
                if KEYWORDS.contains(&word.to_ascii_lowercase().as_str()) {
                    skip_group = !matches!(word, "offset" | "bool" | "and" | "or" | "unless");
                } else if rest.starts_with('(') {
                    p.functions.push(word);
                } else if !matches!(word.to_ascii_lowercase().as_str(), "inf" | "nan") {
                    p.metrics.push(word);
                }
            }
            c if c.is_ascii_digit() || c == b'.' => {
                // A number, exponent included (`1e3`), is not a name.
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    p
}

/// The unit a query's answer is in, guessed from its metric names the way
/// Prometheus names them: `histogram_quantile` over `…_seconds_bucket` is in
/// seconds, `…_bytes` in bytes, `…_ratio` a ratio, bytes divided by bytes a
/// ratio, `…_seconds_sum / …_seconds_count` seconds. `None` when the names
/// do not tell (counts, rates, sums of unlike things).
pub fn guess(query: &str) -> Option<Unit> {
    let p = parts(query);
    if p.functions.contains(&"histogram_quantile") {
        return p
            .metrics
            .iter()
            .find(|m| m.ends_with("_bucket"))
            .and_then(|m| of_name(m));
    }
    if p.functions.iter().any(|f| COUNTING.contains(f)) || p.metrics.is_empty() {
        return None;
    }
    let units: Vec<Option<Unit>> = p.metrics.iter().map(|m| of_name(m)).collect();
    let first = units.iter().flatten().next().copied()?;
    if units.iter().flatten().any(|u| *u != first) {
        return None;
    }
    let unitless: Vec<&&str> = p
        .metrics
        .iter()
        .zip(&units)
        .filter(|(_, u)| u.is_none())
        .map(|(m, _)| m)
        .collect();
    if p.divides {
        if unitless.is_empty() && p.metrics.len() >= 2 {
            // Like divided by like: a share of the whole.
            return Some(Unit::Ratio);
        }
        // A sum over a count of the same histogram: an average.
        let averages = unitless.iter().all(|m| {
            m.strip_suffix("_count").is_some_and(|base| {
                p.metrics
                    .iter()
                    .any(|o| o.strip_suffix("_sum") == Some(base))
            })
        });
        return (averages && !unitless.is_empty()).then_some(first);
    }
    if !unitless.is_empty() || p.functions.iter().any(|f| PER_SECOND.contains(f)) {
        return None;
    }
    Some(first)
}

#[cfg(test)]
mod tests;
