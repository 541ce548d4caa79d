//! What a shared incident looks like in the cluster: one create-only
//! ConfigMap per event, named from the event's id so a retried create is
//! the same object (409 AlreadyExists is success), labelled so an incident
//! is found by listing its label; and one claim ConfigMap per alert and day
//! that settles which host declares. What is published is redacted as the
//! export is, and a command's output is withheld unless asked for.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::domain::incident::{Event, EventKind};
use crate::domain::redact::redact;

/// Marks every object warroom writes.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// The incident an object belongs to (a label-safe form of its id).
pub const INCIDENT_LABEL: &str = "warroom.dev/incident";
/// `event` or `claim`.
pub const OBJECT_LABEL: &str = "warroom.dev/object";
/// The incident's whole id (a label value holds at most 63 characters).
pub const ID_ANNOTATION: &str = "warroom.dev/incident-id";
/// The key of the event's JSON in the ConfigMap's data.
pub const EVENT_KEY: &str = "event.json";

/// 64-bit FNV-1a: a stable hash with no dependency, enough to keep label
/// values and names of different incidents apart.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `s` with only lowercase letters, digits and single dashes.
fn dns_safe(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// The incident's label value: its id's start, readable, then a hash of the
/// whole id, within the 63 characters a label value may hold.
pub fn incident_label(id: &str) -> String {
    let mut head = dns_safe(id);
    head.truncate(44);
    let head = head.trim_end_matches('-');
    format!("{head}-{:016x}", fnv1a(id.as_bytes()))
        .trim_start_matches('-')
        .to_string()
}

/// The ConfigMap holding the event with this id: the same id always gives
/// the same name, so creating it twice is one object.
pub fn event_name(event_id: &str) -> String {
    let mut id = dns_safe(event_id);
    if id.is_empty() || id.len() > 200 {
        id = format!("{:016x}", fnv1a(event_id.as_bytes()));
    }
    format!("warroom-ev-{id}")
}

/// The claim of the incident for an alert (by fingerprint) on a UTC day.
pub fn claim_name(fingerprint: &str, day: Timestamp) -> String {
    format!(
        "warroom-claim-{:016x}-{}",
        fnv1a(fingerprint.as_bytes()),
        day.strftime("%Y%m%d")
    )
}

/// Keys whose values identify rather than say: never redacted.
const IDENTITY: [&str; 8] = [
    "id",
    "fingerprint",
    "silence_id",
    "step",
    "key",
    "runbook",
    "from",
    "to",
];

/// Every string the event says, redacted (nested in objects and lists),
/// leaving identities alone.
fn redact_strings(v: &mut Value, key: Option<&str>) {
    match v {
        Value::String(s) if !key.is_some_and(|k| IDENTITY.contains(&k)) => *s = redact(s),
        Value::Array(items) => items.iter_mut().for_each(|i| redact_strings(i, key)),
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                redact_strings(v, Some(k));
            }
        }
        _ => {}
    }
}

/// The event as it is published: everything it says redacted as the
/// export redacts it (the redactor is idempotent, so every host's export
/// stays the same), and a command's output left out unless `output` — its
/// lines then count as omitted, so its size is still known.
pub fn shareable(event: &Event, output: bool) -> Event {
    let mut e = event.clone();
    if !output
        && let EventKind::CommandFinished {
            output, omitted, ..
        } = &mut e.kind
    {
        *omitted += output.lines().count();
        output.clear();
    }
    let mut author = serde_json::Value::String(e.author.clone());
    redact_strings(&mut author, None);
    let Ok(mut kind) = serde_json::to_value(&e.kind) else {
        return e;
    };
    redact_strings(&mut kind, None);
    if let Ok(k) = serde_json::from_value(kind) {
        e.kind = k;
    }
    if let Value::String(a) = author {
        e.author = a;
    }
    e
}

/// The labels every object of incident `id` carries.
fn labels(id: &str, object: &str) -> Value {
    json!({
        MANAGED_BY_LABEL: "warroom",
        INCIDENT_LABEL: incident_label(id),
        OBJECT_LABEL: object,
    })
}

/// The ConfigMap of one event of incident `id` in `namespace` (the event
/// already made [`shareable`]).
pub fn event_object(namespace: &str, id: &str, event: &Event) -> Result<Value, String> {
    // Only an event the journal has given its id can be published once.
    if event.id.is_empty() {
        return Err("the event has no id yet (it is published once it is in the journal)".into());
    }
    let text = serde_json::to_string(event).map_err(|e| e.to_string())?;
    Ok(json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": event_name(&event.id),
            "namespace": namespace,
            "labels": labels(id, "event"),
            "annotations": {ID_ANNOTATION: id},
        },
        "data": {EVENT_KEY: text},
    }))
}

/// The most of an event's JSON one object holds. A ConfigMap's data may
/// hold 1 MiB and a request to the API server 3 MiB (etcd takes 1.5), and
/// an event may be 1 MiB: a larger one is published in parts, each well
/// inside every limit even with its quotes escaped again in the request.
pub const PART_BYTES: usize = 512 * 1024;
/// `k/n`: which part of how many an object holds.
pub const PART_ANNOTATION: &str = "warroom.dev/part";
/// The event a part belongs to.
pub const EVENT_ANNOTATION: &str = "warroom.dev/event-id";
/// The key of a part's text in the ConfigMap's data.
pub const PART_KEY: &str = "part";
/// The most parts an event is published in.
const MAX_PARTS: usize = 8;

/// `text` cut into pieces of at most `max` bytes, at character boundaries.
fn pieces(text: &str, max: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = rest.len().min(max);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

/// The name of part `k` of the event with this id.
fn part_name(event_id: &str, k: usize) -> String {
    format!("{}-p{k}", event_name(event_id))
}

/// The objects that publish one event of incident `id`: one ConfigMap,
/// or, for an event larger than [`PART_BYTES`], one per part. Every name
/// comes from the event's id, so a retry creates nothing twice.
pub fn event_objects(namespace: &str, id: &str, event: &Event) -> Result<Vec<Value>, String> {
    let text = serde_json::to_string(event).map_err(|e| e.to_string())?;
    if text.len() <= PART_BYTES {
        return Ok(vec![event_object(namespace, id, event)?]);
    }
    let parts = pieces(&text, PART_BYTES);
    let n = parts.len();
    Ok(parts
        .into_iter()
        .enumerate()
        .map(|(k, piece)| {
            json!({
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {
                    "name": part_name(&event.id, k),
                    "namespace": namespace,
                    "labels": labels(id, "event"),
                    "annotations": {
                        ID_ANNOTATION: id,
                        EVENT_ANNOTATION: event.id,
                        PART_ANNOTATION: format!("{k}/{n}"),
                    },
                },
                "data": {PART_KEY: piece},
            })
        })
        .collect())
}

/// Puts events published in parts together again, as their objects come
/// (in any order, through a list or a watch).
#[derive(Debug, Default)]
pub struct Parts {
    /// By event id: the incident and the parts come so far.
    waiting: std::collections::HashMap<String, (String, Vec<Option<String>>)>,
}

impl Parts {
    /// The event `obj` completes, with its incident: at once for an event
    /// in one object, with its last part for one in parts; `None` while
    /// parts are missing.
    pub fn take(&mut self, obj: &Value) -> Option<Result<(String, Event), String>> {
        let notes = &obj["metadata"]["annotations"];
        let Some(part) = notes[PART_ANNOTATION].as_str() else {
            return Some(event_of(obj));
        };
        match self.part(obj, part) {
            Ok(Some(done)) => Some(Ok(done)),
            Ok(None) => None,
            Err(why) => Some(Err(why)),
        }
    }

    fn part(&mut self, obj: &Value, part: &str) -> Result<Option<(String, Event)>, String> {
        let notes = &obj["metadata"]["annotations"];
        let (incident, eid) = match (
            notes[ID_ANNOTATION].as_str(),
            notes[EVENT_ANNOTATION].as_str(),
        ) {
            (Some(i), Some(e)) => (i, e),
            _ => return Err("a part without its incident or event".into()),
        };
        let (k, n) = part
            .split_once('/')
            .and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?)))
            .filter(|(k, n)| k < n && *n <= MAX_PARTS)
            .ok_or_else(|| format!("a part numbered {part:?}"))?;
        if obj["metadata"]["name"].as_str() != Some(part_name(eid, k).as_str()) {
            return Err("the part's name does not match its event".into());
        }
        let text = obj["data"][PART_KEY]
            .as_str()
            .ok_or("no part in the object's data")?;
        let entry = self
            .waiting
            .entry(eid.to_string())
            .or_insert_with(|| (incident.to_string(), vec![None; n]));
        if entry.1.len() != n || entry.0 != incident {
            return Err(format!("the parts of event {eid} disagree"));
        }
        entry.1[k] = Some(text.to_string());
        if entry.1.iter().any(Option::is_none) {
            return Ok(None);
        }
        let (incident, parts) = self.waiting.remove(eid).unwrap_or_default();
        let whole: String = parts.into_iter().flatten().collect();
        let event: Event = serde_json::from_str(&whole).map_err(|e| e.to_string())?;
        if event.id != eid {
            return Err("the parts' event has another id".into());
        }
        Ok(Some((incident, event)))
    }
}

/// The event a ConfigMap holds, with the incident it belongs to.
pub fn event_of(obj: &Value) -> Result<(String, Event), String> {
    let id = obj["metadata"]["annotations"][ID_ANNOTATION]
        .as_str()
        .ok_or("no incident id annotation")?;
    let text = obj["data"][EVENT_KEY]
        .as_str()
        .ok_or("no event in the object's data")?;
    let event: Event = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if event_name(&event.id) != obj["metadata"]["name"].as_str().unwrap_or_default() {
        return Err("the event's id does not match the object's name".into());
    }
    Ok((id.to_string(), event))
}

/// The claim of the incident `id` for an alert on a day, by a host, with
/// the declaration (made [`shareable`]) a joining host starts from.
pub fn claim_object(
    namespace: &str,
    fingerprint: &str,
    day: Timestamp,
    id: &str,
    declaration: &Event,
) -> Value {
    let (host, author) = (declaration.host.as_str(), declaration.author.as_str());
    let declared = serde_json::to_string(declaration).unwrap_or_default();
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": claim_name(fingerprint, day),
            "namespace": namespace,
            "labels": labels(id, "claim"),
            "annotations": {ID_ANNOTATION: id},
        },
        "data": {"incident": id, "host": host, "author": author, EVENT_KEY: declared,
                 "fingerprint": fingerprint, "day": day.strftime("%Y-%m-%d").to_string()},
    })
}

/// What a claim says: the incident, who claimed it, and its declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// The incident's id.
    pub incident: String,
    /// The host that declared it.
    pub host: String,
    /// Who declared it.
    pub author: String,
    /// The declaration as it was written there.
    pub declaration: Option<Event>,
    /// The alert's fingerprint.
    pub fingerprint: String,
    /// The UTC day claimed (`2026-11-29`).
    pub day: String,
}

/// The claim a ConfigMap holds.
pub fn claimed(obj: &Value) -> Option<Claim> {
    let d = &obj["data"];
    Some(Claim {
        incident: d["incident"].as_str()?.to_string(),
        host: d["host"].as_str().unwrap_or_default().to_string(),
        author: d["author"].as_str().unwrap_or_default().to_string(),
        declaration: d[EVENT_KEY]
            .as_str()
            .and_then(|t| serde_json::from_str::<Event>(t).ok())
            .filter(|e| matches!(e.kind, EventKind::Declared { .. })),
        fingerprint: d["fingerprint"].as_str().unwrap_or_default().to_string(),
        day: d["day"].as_str().unwrap_or_default().to_string(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::incident::{Purpose, RunOutcome};

    fn label_ok(v: &str) -> bool {
        v.len() <= 63
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && v.starts_with(|c: char| c.is_ascii_alphanumeric())
            && v.ends_with(|c: char| c.is_ascii_alphanumeric())
    }

    #[test]
    fn labels_and_names_are_valid_and_stable_for_any_id() {
        let long = "2026-11-29-".to_string() + &"x".repeat(300);
        for id in [
            "2026-11-29-catalog-p99-latency",
            &long,
            "Ünïcode ids / and more",
            "-",
        ] {
            let l = incident_label(id);
            assert!(label_ok(&l), "{l}");
            assert_eq!(l, incident_label(id));
        }
        assert_ne!(incident_label(&long), incident_label(&(long.clone() + "y")));
        let id = crate::domain::incident::new_id();
        let n = event_name(&id);
        assert!(n.len() <= 253 && n.starts_with("warroom-ev-"), "{n}");
        assert_eq!(
            n,
            event_name(&id.to_uppercase()),
            "named from the lowercase id"
        );
        let c = claim_name("abc", "2026-11-29T03:00:00Z".parse().unwrap());
        assert!(c.ends_with("-20261129"), "{c}");
    }

    #[test]
    fn what_is_published_is_redacted_and_output_withheld() {
        let ts: Timestamp = "2026-11-29T03:00:00Z".parse().unwrap();
        let e = Event::new(
            ts,
            "ana".into(),
            EventKind::CommandFinished {
                original: None,
                step: "check-1".into(),
                command: "curl -H 'Authorization: Bearer abcdefghijklmnop1234567890' x".into(),
                purpose: Purpose::Run,
                outcome: RunOutcome::Exited(0),
                duration_ms: 1200,
                output: "line 1\nline 2\npassword=hunter2hunter2".into(),
                omitted: 3,
                runbook: Some("rb".into()),
                key: Some("k".into()),
            },
        );
        let shared = shareable(&e, false);
        let EventKind::CommandFinished {
            command,
            output,
            omitted,
            step,
            duration_ms,
            ..
        } = &shared.kind
        else {
            panic!()
        };
        assert!(!command.contains("abcdefghijklmnop1234567890"), "{command}");
        assert_eq!((output.as_str(), *omitted), ("", 6));
        assert_eq!((step.as_str(), *duration_ms), ("check-1", 1200));
        assert_eq!(shared.id, e.id);
        // Idempotent: published twice, the same event.
        assert_eq!(shareable(&shared, false), shared);
        // Asked for, the output is published, redacted.
        let with = shareable(&e, true);
        let EventKind::CommandFinished { output, .. } = &with.kind else {
            panic!()
        };
        assert!(
            output.starts_with("line 1") && !output.contains("hunter2hunter2"),
            "{output}"
        );
        // The object round-trips.
        assert!(
            event_object("warroom", "inc-1", &shared).is_err(),
            "no id yet"
        );
        let mut shared = shared;
        shared.id = crate::domain::incident::new_id();
        let obj = event_object("warroom", "inc-1", &shared).unwrap();
        assert_eq!(
            obj["metadata"]["labels"][INCIDENT_LABEL],
            incident_label("inc-1")
        );
        let (id, back) = event_of(&obj).unwrap();
        assert_eq!((id.as_str(), back), ("inc-1", shared));
        // An object whose name does not match its event is refused.
        let mut forged = obj.clone();
        forged["metadata"]["name"] = json!("warroom-ev-other");
        assert!(event_of(&forged).is_err());
    }

    #[test]
    fn a_large_event_goes_in_parts_that_come_together_in_any_order() {
        let ts: Timestamp = "2026-11-29T03:00:00Z".parse().unwrap();
        // A pasted log near the largest event, with quotes and multi-byte
        // characters on the cuts.
        let text = "line \"é\" ✓ ".repeat(60_000);
        let mut e = Event::new(ts, "ana".into(), EventKind::Note { text });
        e.id = crate::domain::incident::new_id();
        let objs = event_objects("warroom", "inc-1", &e).unwrap();
        assert_eq!(objs.len(), 2, "about 1 MiB in 512 KiB parts");
        for o in &objs {
            let part = o["data"][PART_KEY].as_str().unwrap();
            assert!(part.len() <= PART_BYTES);
            assert!(o["metadata"]["name"].as_str().unwrap().len() <= 253);
            assert_eq!(
                o["metadata"]["labels"][INCIDENT_LABEL],
                incident_label("inc-1")
            );
        }
        // Last part first: nothing until the set is whole, then the event.
        let mut parts = Parts::default();
        assert!(parts.take(&objs[1]).is_none());
        let (id, back) = parts.take(&objs[0]).unwrap().unwrap();
        assert_eq!((id.as_str(), back), ("inc-1", e.clone()));
        // A part renamed to another event's is refused.
        let mut forged = objs[0].clone();
        forged["metadata"]["name"] = json!("warroom-ev-other-p0");
        assert!(parts.take(&forged).unwrap().is_err());
        // A small event is one object, as before.
        let mut small = Event::new(ts, "ana".into(), EventKind::Note { text: "hi".into() });
        small.id = crate::domain::incident::new_id();
        let one = event_objects("warroom", "inc-1", &small).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0], event_object("warroom", "inc-1", &small).unwrap());
        assert_eq!(Parts::default().take(&one[0]).unwrap().unwrap().1, small);
    }
}
