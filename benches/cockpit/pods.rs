//! Pods at scale: the memory of 20,000 kept rows, the Pods pane's frame over
//! them, and the cost of a batch of changes (which must not grow with the
//! number of pods).

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::app::{App, Mode, Msg, Pane, update};
use warroom::domain::pod::{ALL_NAMESPACES, Owner, Pod, PodChange};
use warroom::domain::severity::SeverityMap;
use warroom::sources::SourceMsg;

use super::per_iter;

/// `n` pods shaped like a cluster's: spread over `namespaces`, a few labels,
/// an owner, one in fifty crash-looping.
pub fn pods_in(n: usize, namespaces: usize, t0: Timestamp) -> Vec<Pod> {
    (0..n)
        .map(|i| {
            let app = format!("svc{}", i % 97);
            Pod {
                namespace: format!("team-{}", i % namespaces.max(1)),
                name: format!("{app}-7d9f8b6c5-{i:05}"),
                labels: [
                    ("app", app.clone()),
                    ("pod-template-hash", "7d9f8b6c5".to_string()),
                    ("tier", "backend".to_string()),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
                ready: 1,
                containers: 1,
                status: if i % 50 == 0 {
                    "CrashLoopBackOff".into()
                } else {
                    "Running".into()
                },
                restarts: (i % 9) as u32,
                created_at: t0 - SignedDuration::from_secs(86_400),
                node: format!("node-{}", i % 30),
                container_names: vec![app.clone()],
                owner: Some(Owner {
                    kind: "ReplicaSet".into(),
                    name: format!("{app}-7d9f8b6c5"),
                }),
                ..Pod::default()
            }
        })
        .collect()
}

/// Resident memory of this process, in bytes (Linux; 0 elsewhere).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn cockpit(t0: Timestamp) -> App {
    let mut app = App::new(
        "bench".into(),
        SeverityMap::default(),
        Default::default(),
        t0,
    );
    app.cluster = Some(("bench".into(), "team-0".into()));
    app.pods.namespace_override = Some(ALL_NAMESPACES.into());
    app.focus = Pane::Pods;
    app
}

/// A batch of 100 changes: every one moves its pod in the sorted view.
fn batch(pods: &[Pod], round: usize) -> Vec<PodChange> {
    let step = pods.len() / 100;
    (0..100)
        .map(|i| {
            let mut p = pods[(i * step + round) % pods.len()].clone();
            p.status = if round.is_multiple_of(2) {
                "Error"
            } else {
                "Running"
            }
            .into();
            PodChange::Upsert(Box::new(p))
        })
        .collect()
}

/// Time to apply a batch of 100 changes to a cockpit watching `n` pods.
fn apply_cost(n: usize, t0: Timestamp) -> Duration {
    let mut app = cockpit(t0);
    let mut mode = Mode::Normal;
    let pods = pods_in(n, 40, t0);
    update(
        &mut app,
        &mut mode,
        Msg::Source(SourceMsg::Pods {
            source: "bench".into(),
            result: Ok(pods.clone()),
        }),
    );
    let batches: Vec<Vec<PodChange>> = (0..8).map(|r| batch(&pods, r)).collect();
    let mut round = 0;
    per_iter(200, || {
        let changes = batches[round % batches.len()].clone();
        round += 1;
        update(
            &mut app,
            &mut mode,
            Msg::Source(SourceMsg::PodChanges {
                source: "bench".into(),
                changes,
            }),
        );
    })
}

/// (memory of 20,000 kept pods in bytes, Pods pane frame at 200x50 over
/// them, a 100-change batch at 2,000 pods, the same at 20,000).
pub fn measure(t0: Timestamp) -> (u64, Duration, Duration, Duration) {
    let before = rss();
    let mut app = cockpit(t0);
    let mut mode = Mode::Normal;
    // Only a cluster: the Pods pane takes the Alerts pane's place.
    update(
        &mut app,
        &mut mode,
        Msg::Source(SourceMsg::Unavailable {
            feed: warroom::sources::Feed::Alerts,
            reason: "no alert source".into(),
        }),
    );
    update(
        &mut app,
        &mut mode,
        Msg::Source(SourceMsg::Pods {
            source: "bench".into(),
            result: Ok(pods_in(20_000, 40, t0)),
        }),
    );
    let memory = rss().saturating_sub(before);
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    app.pods.cursor = 10_000;
    let frame = per_iter(50, || {
        terminal
            .draw(|f| warroom::ui::draw(f, &app, &mode))
            .expect("draw");
    });
    let shown = format!("{:?}", terminal.backend().buffer());
    assert!(shown.contains("/20000 healthy"), "{shown}");
    let small = apply_cost(2_000, t0);
    let large = apply_cost(20_000, t0);
    (memory, frame, small, large)
}
