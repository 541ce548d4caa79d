//! Speed targets, checked by measurement rather than by timed tests:
//! `cargo bench --bench cockpit`. Exits non-zero when a target is missed.
//!
//! - drawing a full 200x50 frame with 1,000 alerts, 5,000 pods and a 10,000-event
//!   timeline takes under 4 ms (the loop redraws at most a few times a second);
//! - folding a 10,000-event journal takes under 20 ms (opening a long incident);
//! - parsing the shipped runbook library takes under 20 ms, and a library
//!   of about 200 runbooks under 50 ms (start-up, before the first frame);
//! - drawing the output panel over 5,000 kept lines of command output takes
//!   under 4 ms, and taking in a 500-line batch of output under 1 ms (a
//!   chatty command must not slow the cockpit);
//! - listing a data dir of 1,000 incidents takes under 200 ms once the index
//!   beside the journals is up to date (`warroom list`, start-up);
//! - 20,000 pods across namespaces are kept in under 40 MB, the Pods pane
//!   over them draws in under 2 ms at 200x50, and a batch of 100 changes
//!   costs under 1 ms and about the same at 2,000 as at 20,000 pods.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::app::state::OpenIncident;
use warroom::app::{App, Pane};
use warroom::domain::alert::Alert;
use warroom::domain::incident::{AlertRef, Event, EventKind, Incident};
use warroom::domain::severity::{Sev, SeverityMap};
use warroom::sources::runbook_files;

#[path = "cockpit/pods.rs"]
mod pods;

pub(crate) fn per_iter(n: u32, mut f: impl FnMut()) -> Duration {
    f(); // warm up
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed() / n
}

fn events(n: usize, t0: Timestamp) -> Vec<Event> {
    let mut v = vec![Event::new(
        t0,
        "bench".into(),
        EventKind::Declared {
            id: "bench".into(),
            title: "bench".into(),
            severity: Sev::P1,
            alert: AlertRef {
                name: "Bench".into(),
                fingerprint: "f".into(),
                labels: Default::default(),
                summary: String::new(),
                starts_at: t0,
            },
            runbook: None,
            exercise: None,
        },
    )];
    for i in 1..n {
        let kind = if i % 2 == 0 {
            EventKind::Note {
                text: format!("note {i} with some words in it"),
            }
        } else {
            EventKind::StepDone {
                version: None,
                runbook: None,
                key: None,
                step: format!("check-{}", i % 40),
                section: "Check".into(),
                text: "step".into(),
            }
        };
        v.push(Event::new(
            t0 + SignedDuration::from_secs(i as i64),
            format!("user{}", i % 7),
            kind,
        ));
    }
    v
}

fn main() {
    let t0: Timestamp = "2026-11-21T03:00:00Z".parse().expect("time");
    // First, while the process is small: the memory of 20,000 kept pods.
    let (pod_memory, pods_frame, batch_2k, batch_20k) = pods::measure(t0);
    let runbooks = Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks");
    let parse = per_iter(20, || {
        black_box(runbook_files::load(std::slice::from_ref(&runbooks)));
    });
    // A library of about 200 runbooks: the shipped ones, many times over.
    let many = tempfile::tempdir().expect("tmp");
    let mut copied = 0;
    for round in 0..20 {
        for entry in std::fs::read_dir(&runbooks).expect("runbooks").flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&p).expect("read");
                let name = format!(
                    "r{round}-{}",
                    p.file_name().and_then(|n| n.to_str()).unwrap_or("x.md")
                );
                std::fs::write(many.path().join(name), text).expect("write");
                copied += 1;
            }
        }
        if copied >= 200 {
            break;
        }
    }
    let parse_many = per_iter(5, || {
        black_box(runbook_files::load(&[many.path().to_path_buf()]));
    });
    let lib = runbook_files::load(&[runbooks]);
    let mut app = App::new("bench".into(), SeverityMap::default(), lib, t0);
    let alerts: Vec<Alert> = (0..1_000)
        .map(|i| Alert {
            fingerprint: format!("{i:016x}"),
            labels: [
                ("alertname", format!("CatalogP99Latency{i}")),
                (
                    "severity",
                    ["critical", "warning", "info"][i % 3].to_string(),
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            annotations: [("summary".to_string(), format!("alert number {i} is firing"))].into(),
            starts_at: t0 - SignedDuration::from_secs(i as i64 * 7),
            ..Alert::default()
        })
        .collect();
    app.alerts.set_items(alerts);
    for _ in 0..50 {
        app.alerts.navigate(warroom::app::scroll::Nav::PageDown);
    }
    app.pods.replace(pods::pods_in(5_000, 1, t0));
    let journal = events(10_000, t0);
    let fold = per_iter(20, || {
        black_box(Incident::fold(black_box(&journal)).ok());
    });
    let mut open = OpenIncident::new("bench".into());
    let declaration = journal[0].clone();
    open.take_in(journal);
    open.state = Incident::fold(&open.events).ok();
    app.incident = Some(open);
    let mut mode = warroom::app::Mode::Normal;
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let mut draws = Vec::new();
    for pane in [Pane::Alerts, Pane::Pods, Pane::Timeline] {
        app.focus = pane;
        draws.push(per_iter(50, || {
            terminal
                .draw(|f| warroom::ui::draw(f, &app, &mode))
                .expect("draw");
        }));
    }
    let draw = draws.iter().copied().max().unwrap_or_default();
    // A command that has printed far more than the panel keeps.
    app.runs.latest = Some(warroom::app::state::RunView {
        id: 1,
        step: "check-1".into(),
        at: warroom::domain::incident::StepAt {
            runbook: "api-latency-p99".into(),
            key: "check/x".into(),
        },
        original: None,
        purpose: warroom::domain::incident::Purpose::Run,
        command: "kubectl get events -A --watch".into(),
        started: t0,
        lines: Default::default(),
        dropped: 0,
        outcome: None,
        scroll: 0,
    });
    let batch: Vec<String> = (0..500)
        .map(|i| format!("{i:05} Normal Pulled pod/catalog-{i} Successfully pulled image in 1.2s"))
        .collect();
    let take_in = per_iter(100, || {
        warroom::app::update(
            &mut app,
            &mut mode,
            warroom::app::Msg::Run(warroom::exec::RunReport::Output {
                id: 1,
                lines: batch.clone(),
            }),
        );
    });
    app.focus = Pane::Runbook;
    warroom::app::update(
        &mut app,
        &mut mode,
        warroom::app::Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char('o'),
        )),
    );
    assert!(matches!(mode, warroom::app::Mode::Output));
    let output_draw = per_iter(50, || {
        terminal
            .draw(|f| warroom::ui::draw(f, &app, &mode))
            .expect("draw");
    });
    // A data dir of 1,000 incidents, listed with the index warm.
    let data = tempfile::tempdir().expect("tmp");
    let store = warroom::journal::Store::new(data.path());
    for i in 0..1_000 {
        let mut d = declaration.clone();
        if let EventKind::Declared { alert, .. } = &mut d.kind {
            alert.name = format!("Alert{i}");
            alert.fingerprint = format!("{i:016x}");
        }
        d.id = String::new();
        store.declare_or_join(&d).expect("declare");
    }
    let (listed, _) = store.summaries().expect("index built");
    assert_eq!(listed.len(), 1_000);
    let list = per_iter(5, || {
        black_box(store.summaries().expect("list"));
    });
    let checks = [
        (
            "list 1,000 incidents (index warm)",
            list,
            Duration::from_millis(200),
        ),
        (
            "draw 200x50 frame (1k alerts, 5k pods, 10k events)",
            draw,
            Duration::from_millis(4),
        ),
        ("fold 10k-event journal", fold, Duration::from_millis(20)),
        ("parse shipped runbooks", parse, Duration::from_millis(20)),
        (
            "load about 200 runbooks (start-up, before the first frame)",
            parse_many,
            Duration::from_millis(50),
        ),
        (
            "take in 500 lines of command output",
            take_in,
            Duration::from_millis(1),
        ),
        (
            "draw the output panel over 5k lines",
            output_draw,
            Duration::from_millis(4),
        ),
    ];
    let mut failed = false;
    let mb = |b: u64| b as f64 / 1e6;
    let memory_ok = pod_memory <= 40_000_000;
    failed |= !memory_ok;
    println!(
        "{} keep 20k pods across 40 namespaces: {:.1} MB (target 40 MB; 80 MB for the whole cockpit)",
        if memory_ok { "ok  " } else { "BIG " },
        mb(pod_memory)
    );
    // A batch's cost must not follow the pod count: ten times the pods may
    // cost at most three times as much (the sorted view's shifts).
    let flat = batch_20k <= batch_2k * 3 + Duration::from_micros(50);
    failed |= !flat;
    println!(
        "{} 100 changes at 20k pods vs 2k: {batch_20k:?} vs {batch_2k:?} (target: at most 3x)",
        if flat { "ok  " } else { "SLOW" }
    );
    let checks = checks.into_iter().chain([
        (
            "draw the Pods pane at 200x50 over 20k pods (all namespaces)",
            pods_frame,
            Duration::from_millis(2),
        ),
        (
            "apply 100 pod changes to 2k pods",
            batch_2k,
            Duration::from_millis(1),
        ),
        (
            "apply 100 pod changes to 20k pods",
            batch_20k,
            Duration::from_millis(1),
        ),
    ]);
    for (name, took, target) in checks {
        let ok = took <= target;
        failed |= !ok;
        println!(
            "{} {name}: {took:?} (target {target:?})",
            if ok { "ok  " } else { "SLOW" }
        );
    }
    if failed {
        std::process::exit(1);
    }
}
