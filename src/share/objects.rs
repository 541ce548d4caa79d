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
}
