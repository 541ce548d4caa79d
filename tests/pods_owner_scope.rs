//! An alert's pod scope follows the pod's workload, against the test API
//! server through the real effect runner and pod watch: when the pod is
//! deleted and its ReplicaSet replaces it, the replacement shows. A pod the
//! API cannot place under a workload keeps the name scope, and says why.
#![allow(clippy::unwrap_used, clippy::panic)]

mod kube_server;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use kube_server::{KubeServer, deployment, pod, replicaset, statefulset};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::{mpsc, watch};
use warroom::app::{App, Mode, Msg, Pane, update};
use warroom::cockpit::Effects;
use warroom::domain::alert::Alert;
use warroom::domain::severity::SeverityMap;
use warroom::journal::Store;
use warroom::sources::SourceMsg;
use warroom::sources::kubernetes::{self, Kube, KubeOptions};

/// The reducer, the real effect runner and the real pod watch, wired as the
/// loop wires them, against the test API server.
struct Cockpit {
    app: App,
    mode: Mode,
    fx: Effects,
    rx: mpsc::Receiver<Msg>,
    sources: mpsc::Receiver<SourceMsg>,
    watch: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Drop for Cockpit {
    fn drop(&mut self) {
        self.watch.abort();
    }
}

impl Cockpit {
    async fn new(server: &KubeServer) -> Cockpit {
        let kube = Kube::connect(&KubeOptions {
            kubeconfig: Some(server.kubeconfig.clone()),
            ..KubeOptions::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (tx, rx) = mpsc::channel(warroom::cockpit::QUEUE);
        let (query_tx, _) = watch::channel(None);
        let (src_tx, sources) = warroom::sources::channel();
        let (scope_tx, scope_rx) = watch::channel(None);
        let watch = tokio::spawn(kubernetes::watch_pods(
            kube.clone(),
            scope_rx,
            src_tx.clone(),
            Duration::from_millis(100),
        ));
        let fx = Effects::new(
            Store::new(dir.path()),
            dir.path().to_path_buf(),
            tx,
            query_tx,
            src_tx,
        )
        .with_author("alice".into())
        .with_cluster(kube.clone(), scope_tx);
        let app = App::new(
            "alice".into(),
            SeverityMap::default(),
            Default::default(),
            Timestamp::now(),
        );
        let mut c = Cockpit {
            app,
            mode: Mode::Normal,
            fx,
            rx,
            sources,
            watch,
            _dir: dir,
        };
        c.send(Msg::Source(SourceMsg::Cluster {
            context: "test".into(),
            namespace: "default".into(),
        }));
        c.app.focus = Pane::Pods;
        c
    }

    fn send(&mut self, msg: Msg) {
        for e in update(&mut self.app, &mut self.mode, msg) {
            self.fx.perform(e);
        }
    }

    fn alert_for(&mut self, pod: &str) {
        let labels: BTreeMap<String, String> = [
            ("alertname", "KubePodCrashLooping"),
            ("namespace", "shop"),
            ("pod", pod),
            ("severity", "critical"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        self.send(Msg::Source(SourceMsg::Alerts {
            source: "alertmanager".into(),
            result: Ok(vec![Alert {
                fingerprint: format!("fp-{pod}"),
                labels,
                annotations: BTreeMap::new(),
                starts_at: Timestamp::now(),
                state: Default::default(),
                silenced_by: Vec::new(),
                inhibited_by: Vec::new(),
                generator_url: None,
            }]),
        }));
    }

    /// Feeds effect answers and watch reports in until `done` holds.
    async fn until(&mut self, what: &str, done: impl Fn(&Cockpit) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = tokio::select! {
                m = self.rx.recv() => m.unwrap(),
                s = self.sources.recv() => Msg::Source(s.unwrap()),
                _ = tokio::time::sleep(left) => panic!("{what}: not within 10s\n{}", self.screen(200, 50)),
            };
            self.send(msg);
        }
    }

    fn shown(&self) -> Vec<String> {
        self.app
            .visible_pods()
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    fn screen(&self, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| warroom::ui::draw(f, &self.app, &self.mode))
            .unwrap();
        let buf = t.backend().buffer();
        (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[tokio::test]
async fn a_deleted_pod_s_replacement_shows_in_the_alert_s_scope() {
    let server = KubeServer::start().await;
    server.put_pod(pod("shop", "shop-crash-0", "shop", "crash", 5));
    server.put_pod(pod("shop", "other-1", "other", "running", 0));
    server.put_deployment(deployment("shop", "shop", 1));
    server.state.lock().unwrap().audit.replicasets.insert(
        ("shop".into(), "shop-5f7c9d8b6".into()),
        replicaset("shop", "shop-5f7c9d8b6", Some("shop")),
    );
    let mut c = Cockpit::new(&server).await;
    c.alert_for("shop-crash-0");
    // Until the API answers, the alert's pod by name, and the line says so.
    assert_eq!(c.app.pod_scope().name.as_deref(), Some("shop-crash-0"));
    assert!(c.screen(200, 50).contains("finding its owner"));

    c.until("the owner's selector", |c| {
        c.app.pod_scope().selector.as_deref() == Some("app=shop")
    })
    .await;
    c.until("the alert's pod listed", |c| c.shown() == ["shop-crash-0"])
        .await;
    let screen = c.screen(200, 50);
    assert!(
        screen.contains("⎈ test/shop · app=shop (owner of shop-crash-0: deployment shop)"),
        "{screen}"
    );

    // The ReplicaSet replaces the deleted pod: the replacement shows.
    server.remove_pod("shop", "shop-crash-0");
    server.put_pod(pod("shop", "shop-7d9fq", "shop", "running", 0));
    c.until("the replacement listed", |c| c.shown() == ["shop-7d9fq"])
        .await;
    let screen = c.screen(200, 50);
    assert!(screen.contains("shop-7d9fq"), "{screen}");
    assert!(!screen.contains("No pods match this scope"), "{screen}");
    assert!(!screen.contains("other-1"), "{screen}");

    // `:ns` replaces the alert's scope, on the status line too.
    c.send(Msg::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Char(':'),
    )));
    for ch in "ns payments\n".chars() {
        let code = match ch {
            '\n' => crossterm::event::KeyCode::Enter,
            c => crossterm::event::KeyCode::Char(c),
        };
        c.send(Msg::Key(crossterm::event::KeyEvent::from(code)));
    }
    let screen = c.screen(200, 50);
    assert!(screen.contains("⎈ test/payments "), "{screen}");
    assert!(!screen.contains("owner of"), "{screen}");
}

#[tokio::test]
async fn a_pod_with_no_workload_keeps_its_name_scope_and_says_why() {
    let server = KubeServer::start().await;
    let mut bare = pod("shop", "debug-shell", "debug", "running", 0);
    bare["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("ownerReferences");
    server.put_pod(bare);
    let mut c = Cockpit::new(&server).await;
    c.alert_for("debug-shell");
    c.until("the answer", |c| {
        c.app
            .pods
            .owner_scope
            .as_ref()
            .is_some_and(|l| l.answer.is_some())
    })
    .await;
    assert_eq!(c.app.pod_scope().name.as_deref(), Some("debug-shell"));
    let screen = c.screen(200, 50);
    assert!(
        screen.contains("(pod debug-shell only: it has no workload)"),
        "{screen}"
    );

    // A pod the API does not know: the name scope stays, with the reason.
    c.alert_for("gone-pod");
    c.until("the refusal", |c| {
        c.app
            .pods
            .owner_scope
            .as_ref()
            .is_some_and(|l| l.pod.name == "gone-pod" && l.answer.is_some())
    })
    .await;
    assert_eq!(c.app.pod_scope().name.as_deref(), Some("gone-pod"));
    let screen = c.screen(200, 50);
    assert!(
        screen.contains("(pod gone-pod only: owner not found: not found"),
        "{screen}"
    );
}

#[tokio::test]
async fn a_stateful_set_s_pod_widens_to_the_stateful_set() {
    let server = KubeServer::start().await;
    let mut db = pod("shop", "db-0", "db", "oom", 3);
    db["metadata"]["ownerReferences"] = serde_json::json!([{"apiVersion": "apps/v1",
        "kind": "StatefulSet", "name": "db", "uid": "uid-db", "controller": true}]);
    server.put_pod(db);
    server.put_pod(pod("shop", "other-1", "other", "running", 0));
    {
        let mut st = server.state.lock().unwrap();
        st.statefulsets
            .insert(("shop".into(), "db".into()), statefulset("shop", "db"));
    }
    let mut c = Cockpit::new(&server).await;
    c.alert_for("db-0");
    c.until("the StatefulSet's selector", |c| {
        c.app.pod_scope().selector.as_deref() == Some("app=db")
    })
    .await;
    c.until("db-0 listed", |c| c.shown() == ["db-0"]).await;
    let screen = c.screen(200, 50);
    assert!(
        screen.contains("⎈ test/shop · app=db (owner of db-0: statefulset db)"),
        "{screen}"
    );
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.starts_with("GET /apis/apps/v1/namespaces/shop/statefulsets/db")),
        "{:?}",
        server.requests()
    );
}
