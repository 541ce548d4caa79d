//! End to end: `warroom replay` of a journal, in a real terminal (tmux,
//! 80x24), at 60× and 10×. At moments along the playback the status line's
//! clock, event count and incident state are read off the screen and
//! compared with the journal read up to that moment; Space, ] and q are
//! tried; every key and a bracketed paste that would write are tried too,
//! and the journal file is byte for byte what it was.
#![allow(clippy::unwrap_used, clippy::panic)]

mod tmux;

use std::path::Path;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use tmux::Tmux;
use warroom::domain::alert::AlertState;
use warroom::domain::incident::{AlertRef, Event, EventKind, Incident, Status};
use warroom::journal::Store;

/// A short incident: its alert fired a minute before it was declared at
/// `t`; acknowledged, a note, the alert resolving, mitigated, resolved.
fn write_journal(data: &Path, t: Timestamp) -> (String, Vec<Event>) {
    let store = Store::new(data);
    let at = |s: i64| t + SignedDuration::from_secs(s);
    let alert = AlertRef {
        name: "CatalogP99Latency".into(),
        fingerprint: "fp1".into(),
        labels: [("alertname".to_string(), "CatalogP99Latency".to_string())].into(),
        summary: "catalog p99 above 500ms".into(),
        starts_at: at(-60),
    };
    let declared = Event::new(
        t,
        "ana".into(),
        EventKind::Declared {
            id: String::new(),
            title: "catalog p99 above 500ms".into(),
            severity: warroom::domain::severity::Sev::P1,
            alert,
            runbook: None,
            exercise: None,
        },
    );
    let id = store.declare_or_join(&declared).unwrap().id().to_string();
    let later = [
        (30, EventKind::Acknowledged),
        (
            60,
            EventKind::Note {
                text: "rolling back the 02:53 deploy".into(),
            },
        ),
        (
            120,
            EventKind::AlertChanged {
                fingerprint: "fp1".into(),
                name: "CatalogP99Latency".into(),
                state: AlertState::Resolved,
                silenced_by: Vec::new(),
            },
        ),
        (150, EventKind::Mitigated),
        (180, EventKind::Resolved),
    ];
    for (s, kind) in later {
        store
            .append(&id, &Event::new(at(s), "ana".into(), kind))
            .unwrap();
    }
    let events = store.load(&id).unwrap().events;
    (id, events)
}

/// The playback clock and event count the status line shows, once drawn.
fn status(screen: &str, day: Timestamp) -> Option<(Timestamp, usize, String)> {
    let line = screen.lines().rev().find(|l| l.contains("REPLAY"))?;
    let mut words = line.split_whitespace();
    let clock = words.find(|w| w.len() == 8 && w.as_bytes()[2] == b':')?;
    let _utc = words.next()?;
    let count = words.next()?.split('/').next()?.parse().ok()?;
    let date = day.strftime("%Y-%m-%d").to_string();
    let at: Timestamp = format!("{date}T{clock}Z").parse().ok()?;
    Some((at, count, line.to_string()))
}

/// What the screen says agrees with the journal read up to its clock.
fn agrees(screen: &str, events: &[Event], day: Timestamp) -> Timestamp {
    let (at, count, line) =
        status(screen, day).unwrap_or_else(|| panic!("no replay status line:\n{screen}"));
    // The clock is shown to the second; an event later in that second may
    // or may not be shown yet.
    let upto = |t: Timestamp| events.iter().filter(|e| e.effective() <= t).count();
    let (lo, hi) = (upto(at), upto(at + SignedDuration::from_millis(999)));
    assert!(
        (lo..=hi).contains(&count),
        "{count} shown at {at}, the journal has {lo}..={hi}:\n{screen}"
    );
    let shown: Vec<Event> = {
        let mut v: Vec<Event> = events.to_vec();
        v.sort_by(Event::order);
        v.truncate(count);
        v
    };
    match Incident::fold(&shown) {
        Err(_) => assert!(line.contains("NO INCIDENT"), "{line}"),
        Ok(inc) => {
            let word = match inc.status {
                Status::Resolved => "RESOLVED",
                Status::Mitigated => "MITIGATED",
                _ => "INVESTIGATING",
            };
            assert!(line.contains(word), "{word} expected at {at}:\n{line}");
        }
    }
    at
}

#[test]
fn a_replay_at_60x_follows_the_journal_and_writes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let t = Timestamp::from_second(1_795_000_000).unwrap();
    let (id, events) = write_journal(data.path(), t);
    let journal = data.path().join("incidents").join(format!("{id}.jsonl"));
    let before = std::fs::read(&journal).unwrap();
    let tm = Tmux::start(
        "replay60",
        80,
        24,
        data.path(),
        &format!("replay {id} --speed 60"),
    );
    tm.wait_for("REPLAY 60×");
    // Sample the screen as it plays: each moment agrees with the journal,
    // and the clock only moves forward.
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut last = Timestamp::MIN;
    while started.elapsed() < Duration::from_secs(12) {
        let s = tm.screen();
        if status(&s, t).is_some() {
            let at = agrees(&s, &events, t);
            assert!(at >= last, "the clock went back: {at} after {last}");
            last = at;
            seen.push(s.clone());
            if s.contains("RESOLVED") && s.contains("paused") {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(150));
    }
    assert!(
        seen.iter().any(|s| s.contains("NO INCIDENT")),
        "before the declaration"
    );
    assert!(seen.iter().any(|s| s.contains("INVESTIGATING")));
    assert!(seen.iter().any(|s| s.contains("MITIGATED")));
    let end = seen.last().unwrap();
    let all = format!("{n}/{n}", n = events.len());
    assert!(end.contains("RESOLVED") && end.contains(&all), "{end}");
    // 4 minutes of incident at 60×: about 4 seconds.
    assert!(started.elapsed() < Duration::from_secs(10));

    // Nothing writes: the keys that would, the : line, a bracketed paste.
    // (A speed change between them puts another message up, so each
    // refusal is seen afresh.)
    for k in ["n", "a", "m", "R", "u", "A", "S", ":", "r", "v", "b"] {
        tm.keys(&["-"]);
        tm.wait_for("real time");
        tm.keys(&[k]);
        tm.wait_for("read-only");
    }
    tm.keys(&["-"]);
    tm.wait_for("real time");
    tm.tmux(&["set-buffer", ":resolve\ry n note\r"]);
    tm.tmux(&["paste-buffer", "-p", "-t", "e2e"]);
    tm.wait_for("read-only");
    tm.keys(&["q"]);
    let s = tm.wait_for("EXIT=");
    assert!(s.contains("EXIT=0"), "{s}");
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        before,
        "the journal changed"
    );
}

#[test]
fn a_replay_at_10x_pauses_jumps_and_starts_where_asked() {
    let data = tempfile::tempdir().unwrap();
    let t = Timestamp::from_second(1_795_000_000).unwrap();
    let (id, events) = write_journal(data.path(), t);
    // From the minute after the declaration (`--from` takes HH:MM).
    let from = (t + SignedDuration::from_secs(60))
        .strftime("%H:%M")
        .to_string();
    let tm = Tmux::start(
        "replay10",
        80,
        24,
        data.path(),
        &format!("replay {id} --from {from}"),
    );
    let s = tm.wait_for("REPLAY 10×");
    let at = agrees(&s, &events, t);
    assert_eq!(at.strftime("%H:%M").to_string(), from, "{s}");
    assert!(s.contains("INVESTIGATING"), "{s}");
    // Paused, the clock holds.
    tm.keys(&["Space"]);
    let s = tm.wait_for("paused");
    let held = agrees(&s, &events, t);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(agrees(&tm.screen(), &events, t), held);
    // ] lands on the next event, the acknowledgement (30 s), then on
    // through the note and the alert resolving to the mitigation.
    tm.keys(&["]"]);
    std::thread::sleep(Duration::from_millis(400));
    let at = agrees(&tm.screen(), &events, t);
    assert_eq!(at, t + SignedDuration::from_secs(30));
    tm.keys(&["]", "]", "]"]);
    let s = tm.wait_for("MITIGATED");
    agrees(&s, &events, t);
    // [ takes the mitigation back.
    tm.keys(&["["]);
    let s = tm.wait_for("INVESTIGATING");
    agrees(&s, &events, t);
    tm.keys(&["q"]);
    let s = tm.wait_for("EXIT=");
    assert!(s.contains("EXIT=0"), "{s}");
}
