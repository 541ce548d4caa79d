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
/// file name and the line number, so it is the same on every read.
pub fn line_id(file: &str, line: usize) -> String {
    uuid::Uuid::new_v5(&ID_NAMESPACE, format!("line\n{file}\n{line}").as_bytes())
        .hyphenated()
        .to_string()
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

    /// One line for timelines and drafts, saying when a backdated event
    /// happened.
    pub fn describe(&self) -> String {
        match (&self.kind, self.at) {
            (EventKind::Note { text }, Some(at)) => {
                format!(
                    "Note (about {} UTC): {text}",
                    crate::domain::time::utc_clock(at)
                )
            }
            (kind, Some(at)) => format!(
                "{} (about {} UTC)",
                kind.describe(),
                crate::domain::time::utc_clock(at)
            ),
            (kind, None) => kind.describe(),
        }
    }

    /// The same event cut to fit [`MAX_EVENT_BYTES`]: the longest texts are
    /// shortened, each ending with a note of how much was cut.
    pub fn bounded(mut self) -> Event {
        for _ in 0..32 {
            let size = serde_json::to_vec(&self).map_or(0, |v| v.len());
            if size <= MAX_EVENT_BYTES {
                break;
            }
            let over = size - MAX_EVENT_BYTES;
            let Some(longest) = self
                .kind
                .texts_mut()
                .into_iter()
                .filter(|t| t.len() > CUT_MARK_ROOM)
                .max_by_key(|t| t.len())
            else {
                break;
            };
            let keep = longest.len().saturating_sub(over + CUT_MARK_ROOM);
            let keep = (0..=keep)
                .rev()
                .find(|i| longest.is_char_boundary(*i))
                .unwrap_or(0);
            let cut = longest.len() - keep;
            longest.truncate(keep);
            longest.push_str(&format!(" … [{cut} bytes cut: events are at most 1 MiB]"));
        }
        self
    }
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
