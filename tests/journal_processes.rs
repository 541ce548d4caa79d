//! The journal across real processes: concurrent writers lose nothing, and a
//! writer killed with SIGKILL leaves a journal that loads with every event it
//! reported as written.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use jiff::Timestamp;
use warroom::domain::incident::{AlertRef, Event, EventKind};
use warroom::domain::severity::Sev;
use warroom::journal::Store;

const CHILD: &str = "WARROOM_TEST_WRITER";

fn declare(dir: &Path) -> String {
    let store = Store::new(dir);
    let event = Event::new(
        Timestamp::now(),
        "test".into(),
        EventKind::Declared {
            id: String::new(),
            title: "concurrency".into(),
            severity: Sev::P2,
            alert: AlertRef {
                name: "JournalTest".into(),
                fingerprint: "f".into(),
                labels: Default::default(),
                summary: String::new(),
                starts_at: Timestamp::now(),
            },
            runbook: None,
            exercise: None,
        },
    );
    store.declare_or_join(&event).unwrap().id().to_string()
}

/// Re-runs this test binary as a writer process (see `writer_process`).
fn spawn_writer(dir: &Path, id: &str, who: &str, count: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "writer_process",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, format!("{}|{id}|{who}|{count}", dir.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Not a test on its own: the body of a writer process. It appends `count`
/// notes and prints `WROTE n` after each append has returned (is durable).
#[test]
#[ignore = "helper run as a child process by the tests in this file"]
fn writer_process() {
    let spec = std::env::var(CHILD).expect("run only as a child writer");
    let parts: Vec<&str> = spec.split('|').collect();
    let (dir, id, who, count) = (
        parts[0],
        parts[1],
        parts[2],
        parts[3].parse::<usize>().unwrap(),
    );
    let store = Store::new(Path::new(dir));
    for n in 0..count {
        let e = Event::new(
            Timestamp::now(),
            who.into(),
            EventKind::Note {
                text: format!("{who}-{n}"),
            },
        );
        store.append(id, &e).unwrap();
        println!("WROTE {n}");
    }
}

fn notes(dir: &Path, id: &str) -> (Vec<String>, Vec<String>) {
    let loaded = Store::new(dir).load(id).unwrap();
    let texts = loaded
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Note { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    (texts, loaded.warnings)
}

#[test]
fn two_processes_append_500_each_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let id = declare(dir.path());
    let a = spawn_writer(dir.path(), &id, "a", 500);
    let b = spawn_writer(dir.path(), &id, "b", 500);
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "writer failed");
    }
    let (texts, warnings) = notes(dir.path(), &id);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(texts.len(), 1000);
    for who in ["a", "b"] {
        let mine: Vec<_> = texts
            .iter()
            .filter(|t| t.starts_with(&format!("{who}-")))
            .collect();
        let expected: Vec<String> = (0..500).map(|n| format!("{who}-{n}")).collect();
        assert_eq!(
            mine,
            expected.iter().collect::<Vec<_>>(),
            "{who}'s events in order"
        );
    }
}

#[test]
fn a_writer_killed_mid_stream_loses_nothing_it_reported() {
    let dir = tempfile::tempdir().unwrap();
    let id = declare(dir.path());
    let mut child = spawn_writer(dir.path(), &id, "k", 1_000_000);
    let stdout = child.stdout.take().unwrap();
    let mut reported = BTreeSet::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("WROTE ") {
            reported.insert(format!("k-{n}"));
            if reported.len() == 300 {
                // SIGKILL: no chance to clean up.
                child.kill().unwrap();
                break;
            }
        }
    }
    child.wait().unwrap();
    let (texts, _warnings) = notes(dir.path(), &id);
    let present: BTreeSet<_> = texts.into_iter().collect();
    let missing: Vec<_> = reported.difference(&present).collect();
    assert!(
        missing.is_empty(),
        "reported as written but missing: {missing:?}"
    );
    // The journal still takes appends after the crash, on a line of its own.
    let store = Store::new(dir.path());
    let e = Event::new(
        Timestamp::now(),
        "after".into(),
        EventKind::Note {
            text: "after-crash".into(),
        },
    );
    store.append(&id, &e).unwrap();
    let (texts, _) = notes(dir.path(), &id);
    assert_eq!(texts.last().map(String::as_str), Some("after-crash"));
}
