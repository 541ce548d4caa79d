//! Targets for the size of the record, checked by measurement:
//! `cargo bench --bench record`. Exits non-zero when a target is missed.
//!
//! With a 100,000-event journal (about 20 MB, some notes backdated):
//! - `warroom export` takes at most 0.5 s and 60 MB of memory, markdown
//!   and JSON (the binary is run and measured as a user runs it);
//! - rejoining it in the cockpit, from reading the file to the first
//!   frame, takes at most 0.3 s;
//! - a scroll key in its timeline costs what the visible rows cost (under
//!   2 ms with the frame), not what the journal costs;
//! - after a 10 MB note, one more event still appears in under 20 ms: a
//!   huge event costs once.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent};
use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::app::{App, Mode, Msg, Pane, update};
use warroom::domain::incident::{AlertRef, Event, EventKind, new_id};
use warroom::domain::severity::{Sev, SeverityMap};
use warroom::journal::{JournalMsg, Store};

const ID: &str = "2026-11-21-big";

/// A journal of `n` events as a long incident writes it: notes, steps
/// ticked and unticked by several people, one note in fifty backdated.
fn journal(n: usize, t0: Timestamp) -> Vec<Event> {
    let mut v = vec![Event::new(
        t0,
        "alice".into(),
        EventKind::Declared {
            id: ID.into(),
            title: "Checkout errors".into(),
            severity: Sev::P1,
            alert: AlertRef {
                name: "CheckoutErrors".into(),
                fingerprint: "f00d".into(),
                labels: [("service".to_string(), "checkout".to_string())].into(),
                summary: "5xx above 2%".into(),
                starts_at: t0 - SignedDuration::from_mins(5),
            },
            runbook: None,
            exercise: None,
        },
    )];
    for i in 1..n {
        let ts = t0 + SignedDuration::from_millis(i as i64 * 250);
        let kind = match i % 3 {
            0 => EventKind::Note {
                text: format!(
                    "note {i}: the queue depth on shard {} is still growing; checked the dashboard",
                    i % 16
                ),
            },
            1 => EventKind::StepDone {
                version: None,
                runbook: None,
                key: None,
                step: format!("check-{}", i % 40),
                section: "Check".into(),
                text: "Confirm the error rate on the dashboard".into(),
            },
            _ => EventKind::StepUndone {
                version: None,
                runbook: None,
                key: None,
                step: format!("check-{}", i % 40),
                section: "Check".into(),
                text: "Confirm the error rate on the dashboard".into(),
            },
        };
        let mut e = Event::new(ts, format!("user{}", i % 7), kind);
        if i % 50 == 0 {
            e.at = Some(ts - SignedDuration::from_mins(3));
        }
        e.id = new_id();
        e.host = "bastion".into();
        v.push(e);
    }
    v
}

/// Runs `warroom export` on the journal: wall time and peak memory.
fn export(data: &std::path::Path, format: &str) -> (Duration, u64) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["--data-dir"])
        .arg(data)
        .args(["export", ID, "--format", format])
        .env("WARROOM_AUTHOR", "bench")
        .output()
        .expect("warroom runs");
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.len() > 1_000_000, "exported the whole record");
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .expect("rusage");
    (took, usage.max_rss() as u64 * 1024)
}

fn key(app: &mut App, mode: &mut Mode, code: KeyCode) {
    update(app, mode, Msg::Key(KeyEvent::from(code)));
}

fn main() {
    // The measuring runs in a fresh process: one that built the journal in
    // memory would lend its size to the children it starts, and to rusage.
    if let Some(data) = std::env::var_os(MEASURE) {
        measure(std::path::Path::new(&data));
        return;
    }
    // WARROOM_BENCH_DIR keeps the generated data dir, to look at or to
    // measure with other tools.
    let tmp = tempfile::tempdir().expect("tmp");
    let keep = std::env::var_os("WARROOM_BENCH_DIR").map(std::path::PathBuf::from);
    let data: &std::path::Path = keep.as_deref().unwrap_or(tmp.path());
    let dir = data.join("incidents");
    std::fs::create_dir_all(&dir).expect("dir");
    {
        let t0: Timestamp = "2026-11-21T03:00:00Z".parse().expect("time");
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(dir.join(format!("{ID}.jsonl"))).expect("journal"),
        );
        for e in journal(100_000, t0) {
            serde_json::to_writer(&mut f, &e).expect("line");
            f.write_all(b"\n").expect("newline");
        }
    }
    let status = Command::new(std::env::current_exe().expect("this bench"))
        .env(MEASURE, data)
        .status()
        .expect("measuring process");
    std::process::exit(status.code().unwrap_or(1));
}

/// Set to the data dir in the measuring process.
const MEASURE: &str = "WARROOM_BENCH_MEASURE";

fn measure(data: &std::path::Path) {
    let t0: Timestamp = "2026-11-21T03:00:00Z".parse().expect("time");
    let dir = data.join("incidents");
    let store = Store::new(data);
    let size = std::fs::metadata(dir.join(format!("{ID}.jsonl")))
        .expect("size")
        .len();

    // Each run is a fresh process: the peak is per format (the larger
    // one is what rusage keeps, so run the smaller first).
    let (md_time, md_mem) = export(data, "md");
    let (json_time, json_mem) = export(data, "json");

    // Rejoining: read, take in, fold, first frame.
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let mut app = App::new(
        "bench".into(),
        SeverityMap::default(),
        Default::default(),
        t0,
    );
    let mut mode = Mode::Normal;
    let start = Instant::now();
    let opened = store.rejoin(ID).expect("rejoin");
    update(&mut app, &mut mode, Msg::Joined(Ok(opened)));
    terminal
        .draw(|f| warroom::ui::draw(f, &app, &mode))
        .expect("draw");
    let rejoin = start.elapsed();
    assert_eq!(app.incident.as_ref().map(|i| i.events.len()), Some(100_000));

    // Scrolling the timeline: a key and the frame it causes.
    app.focus = Pane::Timeline;
    let keys = 200;
    let start = Instant::now();
    for i in 0..keys {
        let code = if i % 2 == 0 {
            KeyCode::PageUp
        } else {
            KeyCode::Char('k')
        };
        key(&mut app, &mut mode, code);
        terminal
            .draw(|f| warroom::ui::draw(f, &app, &mode))
            .expect("draw");
    }
    let scroll = start.elapsed() / keys;

    // A 10 MB note arrives, then ordinary events: each of those costs
    // what an event costs.
    let mut huge = Event::new(
        t0 + SignedDuration::from_hours(10),
        "carol".into(),
        EventKind::Note {
            text: "log excerpt ".repeat(900_000),
        },
    );
    huge.id = new_id();
    update(
        &mut app,
        &mut mode,
        Msg::Journal(JournalMsg::Events {
            id: ID.into(),
            events: vec![huge],
        }),
    );
    app.focus = Pane::Timeline;
    terminal
        .draw(|f| warroom::ui::draw(f, &app, &mode))
        .expect("draw");
    let n = 20;
    let start = Instant::now();
    for i in 0..n {
        let mut e = Event::new(
            t0 + SignedDuration::from_hours(10) + SignedDuration::from_secs(i + 1),
            "dave".into(),
            EventKind::Note {
                text: format!("after the big one {i}"),
            },
        );
        e.id = new_id();
        update(
            &mut app,
            &mut mode,
            Msg::Journal(JournalMsg::Events {
                id: ID.into(),
                events: vec![e],
            }),
        );
        terminal
            .draw(|f| warroom::ui::draw(f, &app, &mode))
            .expect("draw");
    }
    let after_huge = start.elapsed() / n as u32;

    println!(
        "journal: 100,000 events, {:.1} MB",
        size as f64 / 1_048_576.0
    );
    let mb = |b: u64| b as f64 / 1_048_576.0;
    let mut failed = false;
    let mut check = |name: &str, ok: bool, detail: String| {
        failed |= !ok;
        println!("{} {name}: {detail}", if ok { "ok  " } else { "SLOW" });
    };
    let limit = 60 * 1_048_576;
    check(
        "export markdown",
        md_time <= Duration::from_millis(500) && md_mem <= limit,
        format!("{md_time:?}, {:.1} MB (target 500ms, 60 MB)", mb(md_mem)),
    );
    check(
        "export JSON",
        json_time <= Duration::from_millis(500) && json_mem <= limit,
        format!(
            "{json_time:?}, {:.1} MB peak of both runs (target 500ms, 60 MB)",
            mb(json_mem)
        ),
    );
    check(
        "rejoin to first frame",
        rejoin <= Duration::from_millis(300),
        format!("{rejoin:?} (target 300ms)"),
    );
    check(
        "timeline scroll key + frame",
        scroll <= Duration::from_millis(2),
        format!("{scroll:?} (target 2ms)"),
    );
    check(
        "an event after a 10 MB note, + frame",
        after_huge <= Duration::from_millis(20),
        format!("{after_huge:?} (target 20ms)"),
    );
    if failed {
        std::process::exit(1);
    }
}
