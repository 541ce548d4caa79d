//! Every cluster change is audited, against the test API server and through
//! the real effect runner: a line in the audit log before the cockpit says
//! the change is done, incident or not; with an incident open, also an event
//! in its timeline. A 2xx is a success whatever its body; the scale dialog
//! shows current → new; a pod's owner is asked of the API when its labels
//! do not say.
#![allow(clippy::unwrap_used, clippy::panic)]

mod kube_server;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use kube_server::{KubeServer, deployment, pod, replicaset};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use tokio::sync::{mpsc, watch};
use warroom::app::{App, Mode, Msg, Pane, update};
use warroom::cockpit::Effects;
use warroom::domain::severity::SeverityMap;
use warroom::journal::Store;
use warroom::journal::audit::AuditLog;
use warroom::sources::SourceMsg;
use warroom::sources::kubernetes::{self, Action, Kube, KubeOptions, PodScope};

/// The cockpit's reducer wired to the real effect runner, a data dir and
/// the test API server: what the loop does, without a terminal.
struct Cockpit {
    app: App,
    mode: Mode,
    fx: Effects,
    rx: mpsc::Receiver<Msg>,
    _sources: mpsc::Receiver<SourceMsg>,
    _scope: watch::Receiver<Option<PodScope>>,
    _query: watch::Receiver<Option<warroom::sources::MetricRequest>>,
    dir: tempfile::TempDir,
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
        let (query_tx, query_rx) = watch::channel(None);
        let (src_tx, src_rx) = warroom::sources::channel();
        let (scope_tx, scope_rx) = watch::channel(None);
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
            _sources: src_rx,
            _scope: scope_rx,
            _query: query_rx,
            dir,
        };
        c.send(Msg::Source(SourceMsg::Cluster {
            context: kube.context.clone(),
            namespace: kube.namespace.clone(),
        }));
        let now = Timestamp::now();
        let pods = server
            .state
            .lock()
            .unwrap()
            .pods
            .values()
            .map(|p| kubernetes::summarise(&serde_json::from_value(p.clone()).unwrap(), now))
            .collect();
        c.send(Msg::Source(SourceMsg::Pods {
            source: "kubernetes".into(),
            result: Ok(pods),
        }));
        c.app.focus = Pane::Pods;
        c
    }

    fn send(&mut self, msg: Msg) {
        for e in update(&mut self.app, &mut self.mode, msg) {
            self.fx.perform(e);
        }
    }

    fn key(&mut self, c: char) {
        self.send(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }

    fn command(&mut self, line: &str) {
        self.key(':');
        for c in line.chars() {
            self.key(c);
        }
        self.send(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    }

    /// Feeds messages back in until one matches; `seen` looks at it first,
    /// before the reducer does.
    async fn until(&mut self, mut seen: impl FnMut(&Msg, &Cockpit) -> bool) {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(10), self.rx.recv())
                .await
                .expect("an answer within 10s")
                .expect("the effect runner is alive");
            let hit = seen(&msg, self);
            self.send(msg);
            if hit {
                return;
            }
        }
    }

    fn audit(&self) -> Vec<warroom::journal::audit::AuditRecord> {
        let (records, warnings) = AuditLog::new(self.dir.path()).read(None).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        records
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

    /// Selects a pod by name in the Pods pane.
    fn select(&mut self, name: &str) {
        let at = self
            .app
            .visible_pods()
            .iter()
            .position(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name} is not listed"));
        self.app.pods.cursor = at;
    }
}

async fn seeded() -> KubeServer {
    let server = KubeServer::start().await;
    server.put_pod(pod(
        "shop",
        "catalog-5f7c9d8b6-aaaaa",
        "catalog",
        "crash",
        7,
    ));
    server.put_pod(pod(
        "shop",
        "catalog-5f7c9d8b6-bbbbb",
        "catalog",
        "running",
        0,
    ));
    server.put_deployment(deployment("shop", "catalog", 3));
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_with_no_incident_open_is_in_the_audit_log_before_it_is_reported() {
    let server = seeded().await;
    let mut c = Cockpit::new(&server).await;
    c.select("catalog-5f7c9d8b6-aaaaa");
    c.key('d');
    let screen = c.screen(120, 30);
    assert!(
        screen.contains("Recorded in the audit log with the server's answer (no incident open)."),
        "{screen}"
    );
    assert!(!screen.contains("incident timeline"), "{screen}");
    c.key('y');
    let mut at_report = Vec::new();
    c.until(|m, c| {
        let done = matches!(m, Msg::ClusterDone { .. });
        if done {
            at_report = c.audit();
        }
        done
    })
    .await;
    // Written before the cockpit said it was done.
    assert_eq!(at_report.len(), 1, "{at_report:?}");
    let r = &at_report[0];
    assert_eq!(r.author, "alice");
    assert_eq!(r.context, "test");
    assert_eq!(r.namespace, "shop");
    assert_eq!(r.incident, None);
    assert!(!r.host.is_empty());
    assert_eq!(r.request.method, "DELETE");
    assert_eq!(
        r.request.path,
        "/api/v1/namespaces/shop/pods/catalog-5f7c9d8b6-aaaaa"
    );
    assert_eq!(r.answer.status, Some(200));
    assert!(r.answer.ok);
    assert!(
        r.action
            .starts_with("delete pod shop/catalog-5f7c9d8b6-aaaaa")
    );
    let line = std::fs::read_to_string(AuditLog::new(c.dir.path()).path_for(r.ts)).unwrap();
    assert!(!line.contains("test-token"), "{line}");
    assert!(
        !line.to_ascii_lowercase().contains("authorization"),
        "{line}"
    );
    assert!(
        c.screen(200, 50)
            .contains("pod shop/catalog-5f7c9d8b6-aaaaa deleted")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_an_incident_open_a_change_is_also_in_its_timeline() {
    let server = seeded().await;
    let mut c = Cockpit::new(&server).await;
    c.command("declare catalog crashing after deploy P1");
    c.until(|m, _| matches!(m, Msg::Declared(_))).await;
    let id = c.app.incident.as_ref().expect("declared").id.clone();
    c.app.focus = Pane::Pods;
    c.select("catalog-5f7c9d8b6-aaaaa");
    c.key('d');
    assert!(
        c.screen(120, 30)
            .contains("Recorded in the audit log and the incident timeline, with the answer.")
    );
    c.key('y');
    c.until(|m, _| {
        matches!(m, Msg::Journal(warroom::journal::JournalMsg::Events { events, .. })
            if events.iter().any(|e| matches!(e.kind, warroom::domain::incident::EventKind::ClusterAction { .. })))
    })
    .await;
    let audit = c.audit();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].incident.as_deref(), Some(id.as_str()));
    let journal = Store::new(c.dir.path()).load(&id).unwrap();
    let recorded = journal.events.iter().find_map(|e| match &e.kind {
        warroom::domain::incident::EventKind::ClusterAction { action, ok, .. } => {
            Some((action.clone(), *ok))
        }
        _ => None,
    });
    let (action, ok) = recorded.expect("a cluster action in the timeline");
    assert!(ok && action.starts_with("delete pod shop/catalog-5f7c9d8b6-aaaaa"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2xx_with_an_unexpected_body_is_a_success() {
    let server = seeded().await;
    server.state.lock().unwrap().audit.odd_body =
        Some(json!("applied, in a shape no client knows"));
    let kube = Kube::connect(&KubeOptions {
        kubeconfig: Some(server.kubeconfig.clone()),
        ..KubeOptions::default()
    })
    .await
    .unwrap();
    let scale = Action::Scale {
        namespace: "shop".into(),
        workload: warroom::domain::pod::Owner {
            kind: "Deployment".into(),
            name: "catalog".into(),
        },
        replicas: 5,
    };
    let done = kubernetes::perform_recorded(&kube, &scale).await;
    assert_eq!(
        done.result.as_deref(),
        Ok("Deployment shop/catalog scaled to 5")
    );
    assert!(done.answer.ok);
    assert_eq!(done.answer.status, Some(200));
    let request = done.request.unwrap();
    assert_eq!(request.body, Some(json!({"spec": {"replicas": 5}})));
    // The server did apply it.
    let d = server.state.lock().unwrap().deployments[&("shop".to_string(), "catalog".to_string())]
        .clone();
    assert_eq!(d["spec"]["replicas"], 5);
    // A delete answered the same way is done too.
    let delete = Action::DeletePod(kubernetes::PodRef {
        namespace: "shop".into(),
        name: "catalog-5f7c9d8b6-bbbbb".into(),
    });
    assert!(kubernetes::perform(&kube, &delete).await.is_ok());
    // A refusal is still one, with the server's reason.
    let gone = kubernetes::perform_recorded(&kube, &delete).await;
    assert_eq!(gone.answer.status, Some(404));
    assert!(!gone.answer.ok);
    assert!(gone.result.unwrap_err().starts_with("not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scale_dialog_shows_the_current_count_and_a_restart_asks_the_api_for_the_owner() {
    let server = seeded().await;
    // A pod whose ReplicaSet's name carries no pod-template-hash label.
    let mut bare = pod("shop", "legacy-x1", "legacy", "running", 0);
    bare["metadata"]["labels"] = json!({"app": "legacy"});
    bare["metadata"]["ownerReferences"][0]["name"] = json!("legacy-rs");
    server.put_pod(bare);
    let mut orphan = pod("shop", "orphan-x1", "orphan", "running", 0);
    orphan["metadata"]["labels"] = json!({"app": "orphan"});
    orphan["metadata"]["ownerReferences"][0]["name"] = json!("orphan-rs");
    server.put_pod(orphan);
    {
        let mut st = server.state.lock().unwrap();
        st.audit.replicasets.insert(
            ("shop".into(), "legacy-rs".into()),
            replicaset("shop", "legacy-rs", Some("legacy")),
        );
        st.audit.replicasets.insert(
            ("shop".into(), "orphan-rs".into()),
            replicaset("shop", "orphan-rs", None),
        );
    }
    let mut c = Cockpit::new(&server).await;

    c.command("scale 5 deploy/catalog");
    c.until(|m, _| matches!(m, Msg::ReplicasNow { .. })).await;
    let screen = c.screen(120, 30);
    assert!(screen.contains("Replicas: 3 → 5"), "{screen}");
    c.key('n');

    c.select("legacy-x1");
    c.key('X');
    c.until(|m, _| matches!(m, Msg::OwnerFound { .. })).await;
    let screen = c.screen(120, 30);
    assert!(
        screen.contains("rollout restart Deployment shop/legacy"),
        "{screen}"
    );
    c.key('n');

    c.select("orphan-x1");
    c.key('X');
    c.until(|m, _| matches!(m, Msg::OwnerFound { .. })).await;
    assert!(c.mode.is_normal());
    let screen = c.screen(200, 50);
    assert!(
        screen.contains("has no Deployment (the API says so)"),
        "{screen}"
    );
}

/// An audit log that cannot be written (its folder is a file) does not
/// hide the change: the cockpit says plainly it is NOT in the audit log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_whose_audit_record_cannot_be_written_says_so() {
    let server = seeded().await;
    let mut c = Cockpit::new(&server).await;
    std::fs::write(c.dir.path().join("audit"), "not a folder").unwrap();
    c.select("catalog-5f7c9d8b6-aaaaa");
    c.key('d');
    c.key('y');
    c.until(|m, _| matches!(m, Msg::AuditFailed(_))).await;
    let screen = c.screen(120, 30);
    assert!(screen.contains("NOT in the audit log"), "{screen}");
}
