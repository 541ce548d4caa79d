//! The Pods pane's title against a test API server that is quiet, frozen,
//! thawed, killed and restarted: every state read as a frame would, and
//! recovery within a few seconds of the server answering.
#![allow(clippy::unwrap_used, clippy::panic)]

mod kube_server;

use std::time::{Duration, Instant};

use jiff::Timestamp;
use kube_server::{KubeServer, pod};
use tokio::sync::{mpsc, watch};
use warroom::app::state::SourceState;
use warroom::app::{App, Mode, Msg, update};
use warroom::domain::severity::SeverityMap;
use warroom::sources::SourceMsg;
use warroom::sources::kubernetes::{self, Kube, KubeOptions, PodScope};

/// Takes in what the watch reports until the state is reached, judged
/// at the real time now; how long it took.
async fn until(
    app: &mut App,
    rx: &mut mpsc::Receiver<SourceMsg>,
    what: &str,
    done: impl Fn(&SourceState) -> bool,
) -> (SourceState, Duration) {
    let start = Instant::now();
    loop {
        let now = Timestamp::now();
        update(app, &mut Mode::Normal, Msg::Tick(now));
        let state = app.pods.status.state(now);
        if done(&state) {
            return (state, start.elapsed());
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "never {what}: {state:?}"
        );
        if let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(50), rx.recv()).await {
            app.now = Timestamp::now();
            update(app, &mut Mode::Normal, Msg::Source(m));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pods_title_tells_quiet_from_frozen_and_sees_recovery_at_once() {
    let server = KubeServer::start().await;
    server.put_pod(pod("shop", "catalog-1", "catalog", "running", 0));
    let mut kube = Kube::connect(&KubeOptions {
        kubeconfig: Some(server.kubeconfig.clone()),
        ..KubeOptions::default()
    })
    .await
    .unwrap();
    kube.probe_every = Duration::from_secs(2);
    let (_scope, scope_rx) = watch::channel(Some(PodScope {
        namespace: "shop".into(),
        ..PodScope::default()
    }));
    let (tx, mut rx) = warroom::sources::channel();
    let task = tokio::spawn(kubernetes::watch_pods(
        kube,
        scope_rx,
        tx,
        Duration::from_millis(100),
    ));
    let mut app = App::new(
        "alice".into(),
        SeverityMap::default(),
        Default::default(),
        Timestamp::now(),
    );
    let (state, _) = until(&mut app, &mut rx, "connecting", |s| {
        *s == SourceState::Connecting
    })
    .await;
    assert_eq!(state, SourceState::Connecting);
    until(&mut app, &mut rx, "live", |s| *s == SourceState::Live).await;

    // Quiet: nothing changes for three probe intervals, and it stays live.
    let quiet = Instant::now();
    while quiet.elapsed() < Duration::from_secs(6) {
        if let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(50), rx.recv()).await {
            // As the cockpit's loop does before each message.
            app.now = Timestamp::now();
            update(&mut app, &mut Mode::Normal, Msg::Source(m));
        }
        let state = app.pods.status.state(Timestamp::now());
        assert_eq!(state, SourceState::Live, "a quiet namespace is not stale");
    }

    // Frozen: stale first, then an error that names the address.
    server.freeze();
    until(&mut app, &mut rx, "stale", |s| {
        matches!(s, SourceState::Stale(_))
    })
    .await;
    let (state, _) = until(&mut app, &mut rx, "an error", |s| {
        matches!(s, SourceState::Error(_))
    })
    .await;
    let SourceState::Error(reason) = state else {
        unreachable!()
    };
    assert!(reason.contains("no answer"), "{reason}");
    assert!(reason.contains(&server.port.to_string()), "{reason}");
    server.thaw();
    let (_, took) = until(&mut app, &mut rx, "live again", |s| *s == SourceState::Live).await;
    assert!(
        took < Duration::from_secs(5),
        "thawed but live only after {took:?}"
    );

    // Killed, then back on the same port: live within a reconnect.
    server.kill();
    until(&mut app, &mut rx, "an error", |s| {
        matches!(s, SourceState::Error(_))
    })
    .await;
    server.restart().await;
    let (_, took) = until(&mut app, &mut rx, "live after a restart", |s| {
        *s == SourceState::Live
    })
    .await;
    assert!(
        took < Duration::from_secs(6),
        "restarted but live only after {took:?}"
    );
    task.abort();
}
