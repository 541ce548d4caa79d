//! One journal line: the event envelope (version, id, host, times, author),
//! ids, the total order, and the size bound.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::EventKind;
use crate::domain::time::millis_serde;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 2;

/// The largest event warroom writes, as a JSON line.
pub const MAX_EVENT_BYTES: usize = 1 << 20;

fn legacy_version() -> u32 {
    1
}

/// One journal line: when, who, what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Schema version; 1 for lines written before it was recorded.
    #[serde(default = "legacy_version")]
    pub v: u32,
    /// Globally unique, lowercase id; empty until the event is written.
    /// Written as `event_id` (a declaration's `id` is the incident's).
    #[serde(rename = "event_id", default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The machine that wrote it; empty until the event is written.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host: String,
    #[serde(with = "millis_serde")]
    /// When it was written, UTC, to the millisecond.
    pub ts: Timestamp,
    /// When what it describes happened, when reported late (`:note @14:32`);
    /// `ts` stays the time it was written.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_millis")]
    pub at: Option<Timestamp>,
    /// Who did it (the responder's configured name).
    pub author: String,
    #[serde(flatten)]
    /// What happened, with its details flattened into the same JSON object.
    pub kind: EventKind,
}

/// The namespace of warroom's derived ids (UUIDv5).
const ID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6a0e_52d1_7c4b_4f3e_9b1a_2c8d_5e7f_9a01);

/// A new unique id: a lowercase UUIDv7, ordered by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().hyphenated().to_string()
}

/// The id of a fact several cockpits may record: the same fact gives the
/// same id on every host.
pub fn fact_id(incident: &str, fact: &str) -> String {
    uuid::Uuid::new_v5(
        &ID_NAMESPACE,
        format!("fact\n{incident}\n{fact}").as_bytes(),
    )
    .hyphenated()
    .to_string()
}

/// The id of a line written before ids existed: derived from the journal's
/// file name and the line number, so it is the same on every read, and
/// ordered like the lines (the line number leads), so the total order keeps
/// an old journal's events in file order.
pub fn line_id(file: &str, line: usize) -> String {
    let file_hash = uuid::Uuid::new_v5(&ID_NAMESPACE, format!("line\n{file}").as_bytes());
    // The line number takes the first six bytes (48 bits): the version
    // nibble (byte 6) and the variant bits (byte 8) that a v8 UUID sets
    // must not fall on it, or lines 4,096 apart would share an id.
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&(line as u64).to_be_bytes()[2..]);
    bytes[6..].copy_from_slice(&file_hash.as_bytes()[..10]);
    uuid::Uuid::new_v8(bytes).hyphenated().to_string()
}

impl Event {
    /// An event of this build's schema, written at `ts` by `author`; its id
    /// and host are given when it is written, unless set before.
    pub fn new(ts: Timestamp, author: String, kind: EventKind) -> Self {
        Event {
            v: SCHEMA_VERSION,
            id: String::new(),
            host: String::new(),
            ts,
            at: None,
            author,
            kind,
        }
    }

    /// The same event, about an earlier moment.
    pub fn about(mut self, at: Option<Timestamp>) -> Self {
        self.at = at;
        self
    }

    /// The same event as a fact of `incident` that other cockpits may also
    /// record: its id is derived from `fact`.
    pub fn as_fact(mut self, incident: &str, fact: &str) -> Self {
        self.id = fact_id(incident, fact);
        self
    }

    /// When what it describes happened: `at` where given, else `ts`.
    pub fn effective(&self) -> Timestamp {
        self.at.unwrap_or(self.ts)
    }

    /// The total order of events: effective time, then write time, then id.
    pub fn order(&self, other: &Event) -> std::cmp::Ordering {
        self.effective()
            .cmp(&other.effective())
            .then(self.ts.cmp(&other.ts))
            .then_with(|| self.id.cmp(&other.id))
    }

    /// One line for timelines and drafts. A backdated event is listed at
    /// when it happened ([`Event::effective`]) and says when it was written.
    pub fn describe(&self) -> String {
        match (&self.kind, self.at) {
            (EventKind::Note { text }, Some(_)) => {
                format!(
                    "Note (backdated; written {} UTC): {text}",
                    crate::domain::time::utc_clock(self.ts)
                )
            }
            (kind, Some(_)) => format!(
                "{} (backdated; written {} UTC)",
                kind.describe(),
                crate::domain::time::utc_clock(self.ts)
            ),
            (kind, None) => kind.describe(),
        }
    }

    /// The same event cut to fit [`MAX_EVENT_BYTES`]: its longest texts,
    /// wherever they are (a note, a label value, an alert summary), are
    /// shortened, each ending with a note of how much was cut; long lists of
    /// names are shortened the same way. An event that still does not fit
    /// is refused, so no line written is ever larger.
    pub fn bounded(self) -> Result<Event, String> {
        let size = |v: &serde_json::Value| serde_json::to_vec(v).map_or(usize::MAX, |b| b.len());
        let mut value = serde_json::to_value(&self).map_err(|e| e.to_string())?;
        if size(&value) <= MAX_EVENT_BYTES {
            return Ok(self);
        }
        for _ in 0..256 {
            let now = size(&value);
            if now <= MAX_EVENT_BYTES {
                return serde_json::from_value(value).map_err(|e| e.to_string());
            }
            let over = now - MAX_EVENT_BYTES;
            if !cut_longest_text(&mut value, over) && !cut_longest_list(&mut value) {
                break;
            }
        }
        Err(format!(
            "the event is larger than {} even with its texts cut",
            crate::bounded::human(MAX_EVENT_BYTES as u64)
        ))
    }
}

/// Envelope fields that are never cut.
const KEPT: &[&str] = &["v", "event_id", "host", "ts", "at", "author", "kind"];

/// Where a value sits in an event: keys and indices from the top.
#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn walk<'v>(
    v: &'v serde_json::Value,
    path: &mut Vec<Step>,
    visit: &mut dyn FnMut(&[Step], &'v serde_json::Value),
) {
    visit(path, v);
    match v {
        serde_json::Value::Object(m) => {
            for (k, child) in m {
                if path.is_empty() && KEPT.contains(&k.as_str()) {
                    continue;
                }
                path.push(Step::Key(k.clone()));
                walk(child, path, visit);
                path.pop();
            }
        }
        serde_json::Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                path.push(Step::Index(i));
                walk(child, path, visit);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at_path<'v>(v: &'v mut serde_json::Value, path: &[Step]) -> Option<&'v mut serde_json::Value> {
    path.iter().try_fold(v, |v, step| match step {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Index(i) => v.get_mut(*i),
    })
}

/// Shortens the longest text by about `over` bytes; false when none is
/// long enough to cut.
fn cut_longest_text(value: &mut serde_json::Value, over: usize) -> bool {
    let mut best: Option<(usize, Vec<Step>)> = None;
    walk(value, &mut Vec::new(), &mut |path, v| {
        if let serde_json::Value::String(s) = v
            && s.len() > 2 * CUT_MARK_ROOM
            && best.as_ref().is_none_or(|(len, _)| s.len() > *len)
        {
            best = Some((s.len(), path.to_vec()));
        }
    });
    let Some((_, path)) = best else {
        return false;
    };
    let Some(serde_json::Value::String(text)) = at_path(value, &path) else {
        return false;
    };
    // `over` counts encoded bytes: a line break or a quote takes two in
    // JSON. Keep the longest start whose encoding fits what may remain.
    let encoded: usize = text.chars().map(json_len).sum();
    let budget = encoded.saturating_sub(over + CUT_MARK_ROOM);
    let mut used = 0;
    let mut keep = 0;
    for (i, c) in text.char_indices() {
        used += json_len(c);
        if used > budget {
            break;
        }
        keep = i + c.len_utf8();
    }
    let cut = text.len() - keep;
    text.truncate(keep);
    text.push_str(&format!(" … [{cut} bytes cut: events are at most 1 MiB]"));
    true
}

/// Bytes a character takes inside a JSON string.
fn json_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
        c if (c as u32) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

/// Halves the longest list of plain texts (step ids, silence ids), saying
/// how many were left out; false when there is none worth halving.
fn cut_longest_list(value: &mut serde_json::Value) -> bool {
    let mut best: Option<(usize, Vec<Step>)> = None;
    walk(value, &mut Vec::new(), &mut |path, v| {
        if let serde_json::Value::Array(a) = v
            && a.len() > 16
            && a.iter().all(serde_json::Value::is_string)
            && best.as_ref().is_none_or(|(len, _)| a.len() > *len)
        {
            best = Some((a.len(), path.to_vec()));
        }
    });
    let Some((_, path)) = best else {
        return false;
    };
    let Some(serde_json::Value::Array(list)) = at_path(value, &path) else {
        return false;
    };
    let keep = list.len() / 2;
    let left_out = list.len() - keep;
    list.truncate(keep);
    list.push(serde_json::Value::String(format!(
        "… and {left_out} more (events are at most 1 MiB)"
    )));
    true
}

/// Room left for the note that says how much was cut.
const CUT_MARK_ROOM: usize = 64;

/// Serde for an optional millisecond timestamp.
pub(super) mod opt_millis {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ts: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match ts {
            Some(t) => crate::domain::time::millis_serde::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| s.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// Event ids already taken in. A journal of 100,000 events is mostly
/// UUIDs: each costs 16 bytes here rather than a string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdSet {
    uuids: std::collections::HashSet<u128>,
    other: std::collections::HashSet<String>,
}

impl IdSet {
    /// Adds `id`; false when it was already there.
    pub fn insert(&mut self, id: &str) -> bool {
        // Only the canonical form (lowercase, hyphenated) is stored as a
        // number, so two spellings of one UUID stay two ids, as strings are.
        let canonical = id.len() == 36 && !id.bytes().any(|b| b.is_ascii_uppercase());
        match uuid::Uuid::try_parse(id) {
            Ok(u) if canonical => self.uuids.insert(u.as_u128()),
            _ => self.other.insert(id.to_string()),
        }
    }

    /// Whether `id` was added.
    pub fn contains(&self, id: &str) -> bool {
        let canonical = id.len() == 36 && !id.bytes().any(|b| b.is_ascii_uppercase());
        match uuid::Uuid::try_parse(id) {
            Ok(u) if canonical => self.uuids.contains(&u.as_u128()),
            _ => self.other.contains(id),
        }
    }

    /// Forgets every id.
    pub fn clear(&mut self) {
        self.uuids.clear();
        self.other.clear();
    }

    /// How many ids.
    pub fn len(&self) -> usize {
        self.uuids.len() + self.other.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
