//! Incident ids: the date and a slug of the alert name or title, short
//! enough for a file name whatever they were made from.

use jiff::Timestamp;

/// The longest slug an id is made from.
const SLUG_MAX: usize = 180;

/// A short slug from an alert name: `CatalogP99Latency` → `catalog-p99-latency`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = c.is_ascii_uppercase()
                && prev.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
                        || p.is_ascii_digit()
                });
            if boundary && !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    // An incident id is at most 200 characters: the date, this, and a
    // `-N` suffix must fit, whatever the length of a title or alert name.
    out.truncate(SLUG_MAX);
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "incident".into()
    } else {
        out
    }
}

/// Incident id for an alert declared at `at`: `2026-11-21-catalog-p99-latency`.
pub fn incident_id(alert_name: &str, at: Timestamp) -> String {
    format!("{}-{}", at.strftime("%Y-%m-%d"), slug(alert_name))
}
