//! A journal whose first line (the declaration) was damaged still holds the
//! incident's record: the id is the file's name, and what can still be read
//! of the damaged line is kept. Without this the incident would vanish from
//! `list`, `export` would fail and declaring again would orphan the events.

use std::io::Read;
use std::path::Path;
use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;

use crate::domain::incident::{AlertRef, Event, EventKind};
use crate::domain::severity::Sev;

/// What stands for a field the damaged declaration no longer shows.
pub const UNKNOWN: &str = "unknown";

/// Adds a rebuilt declaration when `events` have none, from the file's name
/// and what can be read of its first line; says so in `warnings`. A journal
/// with a declaration, or an empty file, is left alone.
pub fn declaration(path: &Path, events: &mut Vec<Event>, warnings: &mut Vec<String>) {
    if events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Declared { .. }))
    {
        return;
    }
    let (first, complete) = first_line(path);
    // An empty file, or one whose first line is still being written, has
    // nothing to rebuild yet.
    if events.is_empty() && (first.trim().is_empty() || !complete) {
        return;
    }
    let Some(id) = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".jsonl"))
    else {
        return;
    };
    let field = |name: &str| salvage(&first, name);
    let earliest = events.iter().map(|e| e.effective()).min();
    let ts = field("ts")
        .and_then(|t| t.parse::<Timestamp>().ok())
        .or(earliest)
        .or_else(|| modified(path))
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let severity = field("severity").and_then(|s| match s.as_str() {
        "P0" => Some(Sev::P0),
        "P1" => Some(Sev::P1),
        "P2" => Some(Sev::P2),
        _ => None,
    });
    let mut missing = Vec::new();
    let mut take = |name: &str, what: &str| {
        field(name).unwrap_or_else(|| {
            missing.push(what.to_string());
            UNKNOWN.to_string()
        })
    };
    let title = take("title", "title");
    let alert_name = take("name", "alert name");
    let fingerprint = field("fingerprint").unwrap_or_default();
    let author = take("author", "who declared it");
    if severity.is_none() {
        missing.push("severity (shown as P2)".into());
    }
    if fingerprint.is_empty() {
        missing.push("alert fingerprint".into());
    }
    let mut rebuilt = Event::new(
        ts,
        author,
        EventKind::Declared {
            id: id.to_string(),
            title,
            severity: severity.unwrap_or(Sev::P2),
            alert: AlertRef {
                name: alert_name,
                fingerprint,
                labels: Default::default(),
                summary: String::new(),
                starts_at: ts,
            },
            runbook: None,
            exercise: None,
        },
    );
    rebuilt.id = format!("rebuilt-declaration-{id}");
    let lost = if missing.is_empty() {
        String::new()
    } else {
        format!("; not readable: {}", missing.join(", "))
    };
    warnings.push(format!(
        "{}:1: the declaration is damaged; rebuilt from the file name and what the line still shows{lost}",
        path.display()
    ));
    events.insert(0, rebuilt);
}

/// The journal's first line, as far as it can be read (at most one event's
/// size), and whether it ends (with a line break).
fn first_line(path: &Path) -> (String, bool) {
    let mut bytes = Vec::new();
    let limit = crate::domain::incident::MAX_EVENT_BYTES as u64;
    if let Ok(f) = crate::bounded::open_regular(path) {
        let _ = f.take(limit).read_to_end(&mut bytes);
    }
    let end = bytes.iter().position(|&b| b == b'\n');
    let line = &bytes[..end.unwrap_or(bytes.len())];
    (String::from_utf8_lossy(line).into_owned(), end.is_some())
}

fn modified(path: &Path) -> Option<Timestamp> {
    let t = std::fs::metadata(path).ok()?.modified().ok()?;
    Timestamp::try_from(t).ok()
}

/// The first `"name": "value"` string in a damaged JSON line, unescaped.
fn salvage(line: &str, name: &str) -> Option<String> {
    static STRING: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r#""([a-z_]+)"\s*:\s*"((?:[^"\\]|\\.)*)""#).ok());
    let re = STRING.as_ref()?;
    re.captures_iter(line)
        .find(|c| c.get(1).is_some_and(|m| m.as_str() == name))
        .and_then(|c| c.get(2))
        .map(|m| {
            serde_json::from_str::<String>(&format!("\"{}\"", m.as_str()))
                .unwrap_or_else(|_| m.as_str().to_string())
        })
        .map(|v| crate::sanitize::line(&v).into_owned())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn what_a_damaged_line_still_shows_is_kept() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("2026-11-29-catalog.jsonl");
        std::fs::write(
            &path,
            "{\"v\":1,\"ts\":\"2026-11-29T03:00:00Z\",\"author\":\"alice\",\"kind\":\"declared\",\"title\":\"Catalog \\\"p99\\\"\",\"severity\":\"P1\",\"alert\":{\"name\":\"CatalogP99\",\"fingerprint\":\"abc\",\"lab\n",
        )
        .expect("write");
        let note = Event::new(
            "2026-11-29T03:05:00Z".parse().expect("ts"),
            "bob".into(),
            EventKind::Note { text: "n".into() },
        );
        let (mut events, mut warnings) = (vec![note], Vec::new());
        declaration(&path, &mut events, &mut warnings);
        assert_eq!(events.len(), 2);
        let EventKind::Declared {
            id,
            title,
            severity,
            alert,
            ..
        } = &events[0].kind
        else {
            panic!("no declaration: {events:?}");
        };
        assert_eq!(id, "2026-11-29-catalog");
        assert_eq!(title, "Catalog \"p99\"");
        assert_eq!(*severity, Sev::P1);
        assert_eq!(alert.name, "CatalogP99");
        assert_eq!(alert.fingerprint, "abc");
        assert_eq!(events[0].author, "alice");
        assert!(
            warnings[0].contains("declaration is damaged"),
            "{warnings:?}"
        );
        // Folded, the incident is there with its note.
        let inc = crate::domain::incident::Incident::fold(&events).expect("folds");
        assert_eq!(inc.notes.len(), 1);
    }

    #[test]
    fn nothing_readable_is_marked_unknown_not_invented() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("x.jsonl");
        std::fs::write(&path, "\u{0}\u{0}garbage\n").expect("write");
        let (mut events, mut warnings) = (Vec::new(), Vec::new());
        declaration(&path, &mut events, &mut warnings);
        let EventKind::Declared { title, alert, .. } = &events[0].kind else {
            panic!("no declaration");
        };
        assert_eq!(title, UNKNOWN);
        assert_eq!(alert.name, UNKNOWN);
        assert!(warnings[0].contains("title"), "{warnings:?}");
        assert!(warnings[0].contains("severity"), "{warnings:?}");
        // An intact journal is not touched.
        let mut ok = events.clone();
        let mut w = Vec::new();
        declaration(&path, &mut ok, &mut w);
        assert_eq!(ok.len(), 1);
        assert!(w.is_empty());
    }
}
