//! Tests of the journal: durability, damage, following.
#![allow(clippy::panic)]

use super::*;
use crate::domain::incident::tests::{declared, ev, step};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

#[test]
fn declare_append_load_and_join() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::new(dir.path());
    let d = store
        .declare_or_join(&ev("03:00:00", "alice", declared()))
        .expect("declare");
    assert_eq!(d, Declared::New("2026-11-21-catalog-p99-latency".into()));
    store
        .append(d.id(), &ev("03:01:00", "alice", step("check-1", true)))
        .expect("append");
    let again = store
        .declare_or_join(&ev("03:05:00", "bob", declared()))
        .expect("join");
    assert_eq!(again, Declared::Joined(d.id().into()));
    let loaded = store.load(d.id()).expect("load");
    assert_eq!(loaded.events.len(), 2);
    assert!(loaded.warnings.is_empty());
    // Once resolved, the same alert gets a fresh incident.
    store
        .append(d.id(), &ev("03:09:00", "alice", EventKind::Resolved))
        .expect("append");
    let fresh = store
        .declare_or_join(&ev("03:10:00", "alice", declared()))
        .expect("new");
    assert_eq!(
        fresh,
        Declared::New("2026-11-21-catalog-p99-latency-2".into())
    );
    let (all, warnings) = store.list().expect("list");
    assert_eq!(all.len(), 2);
    assert!(warnings.is_empty());
}

/// A fresh data dir holding one declared incident.
fn declared_store() -> (tempfile::TempDir, Store, Declared, PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::new(dir.path());
    let d = store
        .declare_or_join(&ev("03:00:00", "a", declared()))
        .expect("declare");
    let path = store.path(d.id()).expect("path");
    (dir, store, d, path)
}

#[test]
fn torn_last_line_is_skipped_and_repaired_by_next_append() {
    let (_dir, store, d, path) = declared_store();
    let mut f = OpenOptions::new().append(true).open(&path).expect("open");
    f.write_all(br#"{"ts":"2026-11-21T03:01:00.000Z","author":"a","ki"#)
        .expect("write");
    let loaded = store.load(d.id()).expect("load");
    assert_eq!(loaded.events.len(), 1);
    assert_eq!(loaded.warnings.len(), 1);
    assert!(
        loaded.warnings[0].contains("torn last line"),
        "{:?}",
        loaded.warnings
    );
    store
        .append(d.id(), &ev("03:02:00", "a", EventKind::Acknowledged))
        .expect("append");
    let loaded = store.load(d.id()).expect("load");
    assert_eq!(
        loaded.events.len(),
        2,
        "the event after the torn line survives"
    );
    assert!(
        loaded.warnings[0].contains(":2: unreadable line"),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn garbage_lines_are_skipped_not_fatal() {
    let (events, warnings, consumed) = parse_lines(b"not json\n{}\n\n", Path::new("j"), 0, true);
    assert!(events.is_empty());
    assert_eq!(warnings.len(), 2);
    assert_eq!(consumed, 13);
}

#[test]
fn tail_reads_only_complete_lines() {
    let (_dir, _store, _declared, path) = declared_store();
    let mut tail = Tail::new(path.clone());
    assert_eq!(tail.read_new().expect("read").0.len(), 1);
    let line = serde_json::to_string(&ev("03:01:00", "a", EventKind::Acknowledged)).expect("json");
    let (head, rest) = line.split_at(10);
    let mut f = OpenOptions::new().append(true).open(&path).expect("open");
    f.write_all(head.as_bytes()).expect("w");
    assert!(tail.read_new().expect("read").0.is_empty());
    f.write_all(format!("{rest}\n").as_bytes()).expect("w");
    assert_eq!(tail.read_new().expect("read").0.len(), 1);
}

#[test]
fn ids_cannot_escape_the_folder() {
    let store = Store::new(Path::new("/tmp/x"));
    for bad in ["../x", "a/b", "", ".hidden", "-rf", "a..b"] {
        assert!(store.path(bad).is_err(), "{bad}");
    }
    assert!(store.path("2026-11-21-catalog").is_ok());
}

#[test]
fn follower_reports_own_and_foreign_appends() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::new(dir.path());
    let opened = store
        .open(&ev("03:00:00", "a", declared()))
        .expect("declare");
    assert_eq!(opened.events.len(), 1);
    let d = opened.declared;
    let (tx, rx) = mpsc::channel();
    // Following continues where opening stopped: nothing is reported twice.
    let f = Follower::start(&store, d.id(), opened.position, move |m| {
        let _ = tx.send(m);
    })
    .expect("follow");
    let count = |rx: &mpsc::Receiver<JournalMsg>| match rx.recv_timeout(Duration::from_secs(2)) {
        Ok(JournalMsg::Events { events, .. }) => events.len(),
        other => panic!("unexpected {other:?}"),
    };
    f.append(ev("03:01:00", "a", EventKind::Acknowledged));
    assert_eq!(count(&rx), 1);
    store
        .append(d.id(), &ev("03:02:00", "b", EventKind::Mitigated))
        .expect("foreign");
    assert_eq!(count(&rx), 1);
}

/// An idle incident costs a follower no opens, even while something else
/// (an export, another cockpit) keeps reading the journal.
#[test]
fn an_idle_follower_does_not_reopen_its_journal() {
    let (_dir, store, d, path) = declared_store();
    let f = Follower::start(&store, d.id(), Position::default(), |_| {}).expect("follow");
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        // What used to wake it: opens, reads and closes of the file.
        let _ = fs::read(&path).expect("read");
        thread::sleep(Duration::from_millis(20));
    }
    let (opens, looks) = (f.opens(), f.looks());
    assert!(
        opens <= 2,
        "the follower opened its journal {opens} times in 2 s of idleness"
    );
    assert!(
        looks <= 4,
        "the follower woke {looks} times in 2 s of idleness"
    );
}

/// Without notifications (a data dir on NFS), the periodic stat still
/// sees another writer's events, and reads only when the file grew.
#[test]
fn without_notifications_a_stat_finds_foreign_appends() {
    let (_dir, store, d, _path) = declared_store();
    let (tx, rx) = mpsc::channel();
    let options = FollowOptions {
        notify: false,
        stat_every: Duration::from_millis(200),
    };
    let f = Follower::start_with(&store, d.id(), Position::default(), options, move |m| {
        let _ = tx.send(m);
    })
    .expect("follow");
    assert!(matches!(
        rx.recv_timeout(Duration::from_secs(2)),
        Ok(JournalMsg::Events { .. })
    ));
    thread::sleep(Duration::from_millis(700));
    assert_eq!(f.opens(), 1, "stats alone while nothing changed");
    store
        .append(d.id(), &ev("03:02:00", "b", EventKind::Mitigated))
        .expect("foreign");
    match rx.recv_timeout(Duration::from_secs(2)) {
        Ok(JournalMsg::Events { events, .. }) => assert_eq!(events.len(), 1),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(f.opens(), 2);
}

#[test]
fn a_replaced_journal_is_read_again_from_the_start() {
    let (_dir, _store, _d, path) = declared_store();
    let mut tail = Tail::new(path.clone());
    assert_eq!(tail.read_new().expect("read").0.len(), 1);
    let copy = path.with_extension("tmp");
    let mut bytes = fs::read(&path).expect("read");
    let line = serde_json::to_string(&ev("03:01:00", "a", EventKind::Acknowledged)).expect("json");
    bytes.extend_from_slice(format!("{line}\n").as_bytes());
    fs::write(&copy, bytes).expect("write");
    fs::rename(&copy, &path).expect("rename");
    assert_eq!(tail.read_new().expect("read").0.len(), 2);
}

#[test]
fn dropping_a_follower_finishes_queued_appends() {
    let (_dir, store, d, _path) = declared_store();
    let f = Follower::start(&store, d.id(), Position::default(), |_| {}).expect("follow");
    for n in 0..50 {
        f.append(ev(
            "03:01:00",
            "a",
            EventKind::Note {
                text: format!("n{n}"),
            },
        ));
    }
    drop(f);
    assert_eq!(store.load(d.id()).expect("load").events.len(), 51);
}

#[test]
fn journals_are_private_to_their_writer() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let store = Store::new(&data);
    let d = store
        .declare_or_join(&ev("03:00:00", "a", declared()))
        .expect("declare");
    let mode = |p: &Path| fs::metadata(p).expect("stat").mode() & 0o7777;
    assert_eq!(mode(&store.path(d.id()).expect("path")), 0o600);
    assert_eq!(mode(store.dir()), 0o700);
    assert_eq!(mode(&data), 0o700);
    // One an older version left readable by all is tightened when opened.
    let path = store.path(d.id()).expect("path");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
    store.open(&ev("03:05:00", "b", declared())).expect("join");
    assert_eq!(mode(&path), 0o600);
}

/// The next message that is not a warning, within a few seconds.
fn next_msg(rx: &mpsc::Receiver<JournalMsg>) -> JournalMsg {
    loop {
        match rx.recv_timeout(Duration::from_secs(5)) {
            Ok(JournalMsg::Warning(_)) => continue,
            Ok(m) => return m,
            Err(e) => panic!("no message: {e}"),
        }
    }
}

fn following(store: &Store) -> (Follower, mpsc::Receiver<JournalMsg>, PathBuf) {
    let opened = store
        .open(&ev("03:00:00", "a", declared()))
        .expect("declare");
    let id = opened.declared.id().to_string();
    let (tx, rx) = mpsc::channel();
    let options = FollowOptions {
        notify: true,
        stat_every: Duration::from_millis(100),
    };
    let f = Follower::start_with(store, &id, opened.position, options, move |m| {
        let _ = tx.send(m);
    })
    .expect("follow");
    (f, rx, store.path(&id).expect("path"))
}

#[test]
fn a_shortened_journal_is_reloaded_whole_and_said_so() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::new(dir.path());
    let (f, rx, path) = following(&store);
    f.append(ev("03:01:00", "a", EventKind::Acknowledged));
    f.append(ev("03:02:00", "a", step("check-1", true)));
    let mut seen = 0;
    while seen < 2 {
        match next_msg(&rx) {
            JournalMsg::Events { events, .. } => seen += events.len(),
            other => panic!("unexpected {other:?}"),
        }
    }
    // Cut mid-way through the tick's line: the tick is gone from the record.
    let bytes = fs::read(&path).expect("read");
    let cut = bytes.len() - 20;
    let file = OpenOptions::new().write(true).open(&path).expect("open");
    file.set_len(cut as u64).expect("truncate");
    match next_msg(&rx) {
        JournalMsg::Reloaded { events, why, .. } => {
            assert_eq!(why, "shortened");
            assert_eq!(events.len(), 2, "declaration and ack, not the tick");
            assert!(
                !events
                    .iter()
                    .any(|e| matches!(e.kind, EventKind::StepDone { .. }))
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_deleted_journal_is_reported_and_written_again_only_when_asked() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::new(dir.path());
    let (f, rx, path) = following(&store);
    let held = store
        .load(&path.file_stem().expect("stem").to_string_lossy())
        .expect("load")
        .events;
    fs::remove_file(&path).expect("delete");
    match next_msg(&rx) {
        JournalMsg::Deleted { .. } => {}
        other => panic!("unexpected {other:?}"),
    }
    // An append does not bring the file back by itself.
    f.append(ev("03:03:00", "a", EventKind::Acknowledged));
    match next_msg(&rx) {
        JournalMsg::AppendFailed { error, .. } => {
            assert!(error.contains("deleted"), "{error}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!path.exists(), "recreated without asking");
    f.recreate(held);
    match next_msg(&rx) {
        JournalMsg::Reloaded { events, why, .. } => {
            assert_eq!(why, "recreated");
            assert_eq!(events.len(), 1);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(path.exists());
}

#[test]
fn a_damaged_declaration_keeps_the_incident_listed_exportable_and_joinable() {
    // Cut after the fingerprint (found again by it) and before it (found
    // by the id the alert would get).
    for keep in [2, 8] {
        damaged_declaration(|len| len / keep);
    }
}

fn damaged_declaration(cut: impl Fn(usize) -> usize) {
    let (_dir, store, d, path) = declared_store();
    store
        .append(
            d.id(),
            &ev("03:01:00", "a", EventKind::Note { text: "n".into() }),
        )
        .expect("append");
    // Damage the first line in place: its closing part is lost.
    let text = fs::read_to_string(&path).expect("read");
    let (first, rest) = text.split_once('\n').expect("two lines");
    assert!(first.is_ascii());
    let damaged = format!("{}\n{rest}", &first[..cut(first.len())]);
    fs::write(&path, damaged).expect("write");
    let (all, warnings) = store.list().expect("list");
    assert_eq!(all.len(), 1, "{warnings:?}");
    assert_eq!(all[0].id, d.id());
    crate::domain::export::markdown(
        &store.load(d.id()).expect("load").events,
        crate::domain::export::DEFAULT_TEMPLATE,
        &Default::default(),
    )
    .expect("exports");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("declaration is damaged")),
        "{warnings:?}"
    );
    // The same alert declared again joins it rather than opening `-2`.
    let again = store
        .declare_or_join(&ev("03:05:00", "b", declared()))
        .expect("join");
    assert_eq!(again, Declared::Joined(d.id().into()));
    let loaded = store.load(d.id()).expect("load");
    let inc = Incident::fold(&loaded.events).expect("folds");
    assert_eq!(inc.alert.name, "CatalogP99Latency");
    assert_eq!(inc.notes.len(), 1);
}
