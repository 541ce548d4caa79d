//! The two-pass reading gives exactly what reading the journal whole does.
#![allow(clippy::panic)]

use std::fs;

use super::*;
use crate::domain::export;
use crate::domain::incident::tests::{declared, ev};
use crate::domain::incident::{Event, EventKind};
use crate::journal::Store;

/// The export of `id` read in two passes: markdown, JSON and warnings.
fn streamed(store: &Store, id: &str) -> (String, String, Vec<String>) {
    let mut ordered = store.ordered(id).expect("scan");
    let (seq, declaration) = ordered.declaration().expect("declaration");
    let mut c = export::Collect::new(&declaration, seq).expect("declared");
    let warnings = ordered.for_each(|seq, e| c.feed(seq, e));
    let (inc, r) = export::finish(c, &Default::default());
    let mut md = Vec::new();
    export::write_markdown(&mut md, &inc, &r, export::DEFAULT_TEMPLATE).expect("md");
    let mut json = Vec::new();
    export::write_json(&mut json, &r).expect("json");
    (
        String::from_utf8(md).expect("utf-8"),
        String::from_utf8(json).expect("utf-8"),
        warnings,
    )
}

/// The same, reading the journal whole.
fn whole(store: &Store, id: &str) -> (String, String, Vec<String>) {
    let loaded = store.load(id).expect("load");
    let md = export::markdown(
        &loaded.events,
        export::DEFAULT_TEMPLATE,
        &Default::default(),
    )
    .expect("md");
    let json = export::json(&loaded.events, &Default::default()).expect("json");
    (md, json, loaded.warnings)
}

/// A data dir with one incident declared: its store and id.
fn declared_incident() -> (tempfile::TempDir, Store, String) {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::new(dir.path());
    let id = store
        .declare_or_join(&ev("03:00:00", "alice", declared()))
        .expect("declare")
        .id()
        .to_string();
    (dir, store, id)
}

fn line(e: &Event) -> String {
    serde_json::to_string(e).expect("json")
}

#[test]
fn a_damaged_out_of_order_journal_reads_the_same_in_two_passes() {
    let (_dir, store, id) = declared_incident();
    let path = store.path(&id).expect("path");
    let mut text = fs::read_to_string(&path).expect("read");
    let note = |t: &str, who: &str, s: &str| {
        let mut e = ev(t, who, EventKind::Note { text: s.into() });
        e.id = crate::domain::incident::new_id();
        e
    };
    let late = {
        // Written last, about a moment before the declaration.
        let mut e = note("03:09:00", "carol", "support saw it first");
        e.at = Some("2026-11-21T02:58:00Z".parse().expect("time"));
        e
    };
    let same_a = note("03:02:00", "bob", "same moment a");
    let same_b = note("03:02:00", "bob", "same moment b");
    let legacy = ev("03:03:00", "dave", EventKind::Acknowledged);
    let mut lines = vec![
        line(&note("03:01:00", "alice", "first")),
        line(&same_b),
        line(&same_a),
        "{not json".to_string(),
        line(&same_a), // a retried append: counts once
        line(&legacy), // no event id: one from its line
        String::new(),
        line(&note(
            "03:04:00",
            "bob",
            "PGPASSWORD=hunter2 psql \u{1b}[31m",
        )),
        line(&late),
    ];
    lines.push(r#"{"author":"x","kind":"note","text":"torn"#.to_string());
    text.push_str(&lines.join("\n"));
    fs::write(&path, &text).expect("write");

    let (md, json, warnings) = streamed(&store, &id);
    let (md_whole, json_whole, warnings_whole) = whole(&store, &id);
    assert_eq!(md, md_whole);
    assert_eq!(json, json_whole);
    assert_eq!(warnings, warnings_whole);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    // The late note is placed where it happened, before the declaration.
    let timeline = &md[md.find("| Time (UTC) | Who | Event |").expect("timeline")..];
    let late_at = timeline.find("support saw it first").expect("late note");
    let first_at = timeline.find("Note: first").expect("first note");
    assert!(late_at < first_at, "{timeline}");
    assert_eq!(
        md.matches("same moment a").count(),
        2,
        "timeline and notes once each"
    );
    assert!(!md.contains("hunter2"));
}

#[test]
fn a_journal_without_its_declaration_is_mended_as_when_read_whole() {
    let (_dir, store, id) = declared_incident();
    store
        .append(&id, &ev("03:01:00", "bob", EventKind::Acknowledged))
        .expect("append");
    let path = store.path(&id).expect("path");
    let text = fs::read_to_string(&path).expect("read");
    let (first, rest) = text.split_once('\n').expect("two lines");
    fs::write(&path, format!("{}\n{rest}", &first[..first.len() / 2])).expect("write");
    assert!(matches!(
        store.ordered(&id).expect("scan"),
        Ordered::Whole(_)
    ));
    let (md, json, warnings) = streamed(&store, &id);
    assert_eq!((md, json, warnings), whole(&store, &id));
}

#[test]
fn an_event_as_large_as_allowed_reads_whole_across_the_window() {
    let (_dir, store, id) = declared_incident();
    for (i, size) in [10, 900_000, 20, 1_000_000, 30].into_iter().enumerate() {
        let text = format!("{i}{}", "x".repeat(size));
        store
            .append(
                &id,
                &ev(&format!("03:0{i}:00"), "bob", EventKind::Note { text }),
            )
            .expect("append");
    }
    let (md, json, warnings) = streamed(&store, &id);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!((md, json, warnings), whole(&store, &id));
}

/// A journal written before events had ids, longer than 4,096 lines: every
/// line is its own event (their ids come from their line numbers), read
/// whole or in two passes.
#[test]
fn a_long_journal_without_ids_keeps_every_line() {
    let (_dir, store, id) = declared_incident();
    let path = store.path(&id).expect("path");
    let mut text = fs::read_to_string(&path).expect("read");
    let t0: jiff::Timestamp = "2026-11-21T03:00:01Z".parse().expect("time");
    for i in 0..10_000 {
        let ts = t0 + jiff::SignedDuration::from_secs(i);
        text.push_str(&format!(
            "{{\"author\":\"bob\",\"kind\":\"note\",\"text\":\"note {i}\",\"ts\":\"{}\"}}\n",
            ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        ));
    }
    fs::write(&path, text).expect("write");
    assert_eq!(store.load(&id).expect("load").events.len(), 10_001);
    let (md, json, warnings) = streamed(&store, &id);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(md.matches("Note: note ").count(), 10_000);
    assert!(md.contains("note 9999"));
    assert_eq!((md, json, warnings), whole(&store, &id));
    // Ids from line numbers never meet, however far apart the lines.
    let ids: std::collections::HashSet<String> = (1..200_000)
        .map(|n| crate::domain::incident::line_id("x.jsonl", n))
        .collect();
    assert_eq!(ids.len(), 199_999);
}

#[test]
fn two_declarations_start_from_the_earlier_whatever_the_line_order() {
    // Bob's journal: his own declaration first, then Ana's earlier one,
    // which came through the cluster (both declared while it was away).
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::new(dir.path());
    let id = store
        .declare_or_join(&ev("03:02:00", "bob", declared()))
        .expect("declare")
        .id()
        .to_string();
    let mut anas = ev("03:00:00", "ana", declared());
    anas.id = crate::domain::incident::new_id();
    store.append(&id, &anas).expect("append");
    store
        .append(
            &id,
            &ev(
                "03:05:00",
                "bob",
                EventKind::Note {
                    text: "both here".into(),
                },
            ),
        )
        .expect("append");
    let loaded = store.load(&id).expect("load");
    let inc = crate::domain::incident::Incident::fold(&loaded.events).expect("fold");
    assert_eq!(inc.declared.by, "ana", "the earlier declaration starts it");
    let (md, json, _) = streamed(&store, &id);
    assert_eq!((md.clone(), json), {
        let (m, j, _) = whole(&store, &id);
        (m, j)
    });
    let (_, first) = store
        .ordered(&id)
        .expect("scan")
        .declaration()
        .expect("declaration");
    assert_eq!(first.author, "ana", "the two-pass reader starts there too");
    // Ana's journal, the other way round, exports the same bytes.
    let dir2 = tempfile::tempdir().expect("tmp");
    let other = Store::new(dir2.path());
    other.adopt(&id, &anas).expect("adopt");
    for e in loaded.events.iter().filter(|e| e.id != anas.id) {
        other.append(&id, e).expect("append");
    }
    assert_eq!(streamed(&other, &id).0, md);
}
