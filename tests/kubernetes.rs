//! The Kubernetes source against the test API server: the real kubectl proves
//! the server speaks the protocol; then the watch (add, modify, delete on
//! screen), events and logs, actions checked on the server side, and refusals.
#![allow(clippy::unwrap_used, clippy::panic)]

mod kube_server;

use std::time::{Duration, Instant};

use jiff::Timestamp;
use kube_server::{KubeServer, deployment, pod};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use tokio::sync::{mpsc, watch};
use warroom::app::{App, Effect, Mode, Msg, update};
use warroom::domain::pod::Owner;
use warroom::domain::severity::SeverityMap;
use warroom::sources::SourceMsg;
use warroom::sources::kubernetes::{
    self, Action, Kube, KubeOptions, PodRef, PodScope, pod_events, stream_logs,
};

async fn connect(server: &KubeServer) -> Kube {
    Kube::connect(&KubeOptions {
        kubeconfig: Some(server.kubeconfig.clone()),
        ..KubeOptions::default()
    })
    .await
    .unwrap()
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
    server.put_pod(pod(
        "shop",
        "checkout-5f7c9d8b6-ccccc",
        "checkout",
        "oom",
        2,
    ));
    server.put_pod(pod(
        "payments",
        "ledger-5f7c9d8b6-ddddd",
        "ledger",
        "running",
        0,
    ));
    server.put_deployment(deployment("shop", "catalog", 3));
    server
}

fn render(app: &App, mode: &Mode, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| warroom::ui::draw(f, app, mode)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_kubectl_talks_to_the_test_server() {
    let server = seeded().await;
    let cfg = server.kubeconfig.clone();
    let cache = tempfile::tempdir().unwrap();
    let kubectl = move |args: Vec<&'static str>| {
        let cfg = cfg.clone();
        let cache = cache.path().to_path_buf();
        async move {
            tokio::task::spawn_blocking(move || {
                std::process::Command::new("kubectl")
                    .arg("--kubeconfig")
                    .arg(&cfg)
                    .arg("--cache-dir")
                    .arg(&cache)
                    .args(args)
                    .output()
                    .expect("kubectl is required: run scripts/test.sh, which installs it")
            })
            .await
            .unwrap()
        }
    };
    let out = kubectl(vec!["get", "pods", "-o", "name"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "pod/catalog-5f7c9d8b6-aaaaa",
            "pod/catalog-5f7c9d8b6-bbbbb",
            "pod/checkout-5f7c9d8b6-ccccc"
        ],
        "kubectl lists the context's namespace"
    );
    let out = kubectl(vec![
        "get",
        "pods",
        "-l",
        "app=catalog",
        "-o",
        "jsonpath={.items[*].status.phase}",
    ])
    .await;
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Running Running");
    let out = kubectl(vec![
        "delete",
        "pod",
        "catalog-5f7c9d8b6-bbbbb",
        "--wait=false",
    ])
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        server.changes().iter().any(|(m, p, _)| m == "DELETE"
            && p.ends_with("/namespaces/shop/pods/catalog-5f7c9d8b6-bbbbb"))
    );
}

/// The pods as the watch's messages leave them: a list replaces them all,
/// changes patch them. Waits for the next message that says something.
async fn next_pods(
    rx: &mut mpsc::Receiver<SourceMsg>,
    seen: &mut std::collections::BTreeMap<(String, String), warroom::domain::pod::Pod>,
) -> Vec<warroom::domain::pod::Pod> {
    use warroom::domain::pod::PodChange;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(SourceMsg::Pods { result: Ok(p), .. })) => {
                *seen = p
                    .into_iter()
                    .map(|p| ((p.namespace.clone(), p.name.clone()), p))
                    .collect();
            }
            Ok(Some(SourceMsg::PodChanges { changes, .. })) => {
                for c in changes {
                    match c {
                        PodChange::Upsert(p) => {
                            seen.insert((p.namespace.clone(), p.name.clone()), *p);
                        }
                        PodChange::Remove { namespace, name } => {
                            seen.remove(&(namespace, name));
                        }
                    }
                }
            }
            Ok(Some(SourceMsg::Pods { result: Err(e), .. })) => panic!("watch failed: {e}"),
            Ok(Some(_)) => continue,
            other => panic!("no pods message: {other:?}"),
        }
        return seen.values().cloned().collect();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pane_follows_the_watch_as_pods_come_change_and_go() {
    let server = seeded().await;
    let kube = connect(&server).await;
    assert_eq!(
        (kube.context.as_str(), kube.namespace.as_str()),
        ("test", "shop")
    );
    let (scope_tx, scope_rx) = watch::channel(Some(PodScope {
        namespace: "shop".into(),
        selector: Some("app=catalog".into()),
        name: None,
    }));
    let (tx, mut rx) = warroom::sources::channel();
    let mut seen = Default::default();
    let task = tokio::spawn(kubernetes::watch_pods(
        kube,
        scope_rx,
        tx,
        Duration::from_millis(50),
    ));
    let pods = next_pods(&mut rx, &mut seen).await;
    let names: Vec<_> = pods
        .iter()
        .map(|p| (p.name.as_str(), p.status.as_str(), p.restarts))
        .collect();
    assert_eq!(
        names,
        [
            ("catalog-5f7c9d8b6-aaaaa", "CrashLoopBackOff", 7),
            ("catalog-5f7c9d8b6-bbbbb", "Running", 0)
        ]
    );
    // How the crash loop's earlier run ended is kept, not hidden by it.
    assert_eq!(pods[0].last_exit.as_deref(), Some("Error, exit 1"));
    assert_eq!(pods[1].last_exit, None);

    let mut app = App::new(
        "alice".into(),
        SeverityMap::default(),
        Default::default(),
        Timestamp::now(),
    );
    let apply = |app: &mut App, msg: SourceMsg| {
        update(app, &mut Mode::Normal, Msg::Source(msg));
    };
    apply(
        &mut app,
        SourceMsg::Cluster {
            context: "test".into(),
            namespace: "shop".into(),
        },
    );
    apply(
        &mut app,
        SourceMsg::Pods {
            source: "kubernetes".into(),
            result: Ok(pods),
        },
    );
    app.focus = warroom::app::Pane::Pods;
    let screen = render(&app, &Mode::Normal, 200, 50);
    assert!(
        screen.contains("catalog-5f7c9d8b6-aaaaa") && screen.contains("CrashLoopBackOff"),
        "{screen}"
    );
    assert!(
        screen.contains("7 ("),
        "restarts with the time of the last one:\n{screen}"
    );
    assert!(screen.contains("⎈ test/shop"), "{screen}");

    // Added, modified and deleted pods show up without polling.
    server.put_pod(pod(
        "shop",
        "catalog-5f7c9d8b6-eeeee",
        "catalog",
        "pending",
        0,
    ));
    let pods = next_pods(&mut rx, &mut seen).await;
    assert_eq!(pods.len(), 3);
    assert_eq!(
        pods.iter()
            .find(|p| p.name.ends_with("eeeee"))
            .unwrap()
            .status,
        "ContainerCreating"
    );
    server.put_pod(pod(
        "shop",
        "catalog-5f7c9d8b6-eeeee",
        "catalog",
        "running",
        0,
    ));
    let pods = next_pods(&mut rx, &mut seen).await;
    assert_eq!(
        pods.iter()
            .find(|p| p.name.ends_with("eeeee"))
            .unwrap()
            .status,
        "Running"
    );
    server.put_pod(pod(
        "shop",
        "checkout-5f7c9d8b6-fffff",
        "checkout",
        "running",
        0,
    )); // other app: filtered
    server.remove_pod("shop", "catalog-5f7c9d8b6-aaaaa");
    let pods = next_pods(&mut rx, &mut seen).await;
    let names: Vec<_> = pods.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["catalog-5f7c9d8b6-bbbbb", "catalog-5f7c9d8b6-eeeee"]
    );
    apply(
        &mut app,
        SourceMsg::Pods {
            source: "kubernetes".into(),
            result: Ok(pods),
        },
    );
    let screen = render(&app, &Mode::Normal, 80, 24);
    assert!(
        !screen.contains("aaaaa") && screen.contains("eeeee"),
        "{screen}"
    );

    let lists = server
        .requests()
        .iter()
        .filter(|r| r.starts_with("GET /api/v1/namespaces/shop/pods?") && !r.contains("watch=true"))
        .count();
    let watches = server
        .requests()
        .iter()
        .filter(|r| r.contains("watch=true"))
        .count();
    assert_eq!(
        lists,
        1,
        "one initial list, then only the watch: {:?}",
        server.requests()
    );
    assert!(watches >= 1);

    // A new scope restarts the watch on the new namespace.
    scope_tx.send_replace(Some(PodScope {
        namespace: "payments".into(),
        ..PodScope::default()
    }));
    let pods = next_pods(&mut rx, &mut seen).await;
    assert_eq!(
        pods.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["ledger-5f7c9d8b6-ddddd"]
    );
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_and_logs_for_the_details_view() {
    let server = seeded().await;
    {
        let mut c = server.state.lock().unwrap();
        let key = ("shop".to_string(), "catalog-5f7c9d8b6-aaaaa".to_string());
        c.logs.insert(
            key.clone(),
            (1..=300)
                .map(|i| format!("line {i} \u{1b}[31mred\u{1b}[0m"))
                .collect(),
        );
        c.previous_logs
            .insert(key, vec!["FATAL cannot reach the database".into()]);
        c.events.push(json!({"metadata": {"name": "e1", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "name": "catalog-5f7c9d8b6-aaaaa", "namespace": "shop"},
            "reason": "BackOff", "message": "Back-off restarting failed container", "type": "Warning",
            "count": 14, "lastTimestamp": "2026-11-21T02:59:00Z"}));
        c.events.push(json!({"metadata": {"name": "e0", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "name": "catalog-5f7c9d8b6-aaaaa", "namespace": "shop"},
            "reason": "Scheduled", "message": "Successfully assigned", "type": "Normal",
            "lastTimestamp": "2026-11-20T03:00:00Z"}));
        c.events
            .push(json!({"metadata": {"name": "e2", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "name": "someone-else", "namespace": "shop"},
            "reason": "Pulled", "message": "x", "type": "Normal"}));
    }
    let kube = connect(&server).await;
    let events = pod_events(&kube, "shop", "catalog-5f7c9d8b6-aaaaa")
        .await
        .unwrap();
    assert_eq!(
        events.iter().map(|e| e.reason.as_str()).collect::<Vec<_>>(),
        ["Scheduled", "BackOff"]
    );
    assert_eq!(events[1].count, 14);

    let pod_ref = PodRef {
        namespace: "shop".into(),
        name: "catalog-5f7c9d8b6-aaaaa".into(),
    };
    let (tx, mut rx) = warroom::sources::channel();
    stream_logs(
        kube.clone(),
        pod_ref.clone(),
        None,
        false,
        false,
        tx.clone(),
    )
    .await;
    let mut lines = Vec::new();
    while let Ok(SourceMsg::PodLog { lines: l, done, .. }) = rx.try_recv() {
        lines.extend(l.unwrap());
        if done {
            break;
        }
    }
    assert_eq!(lines.len(), 200, "the last 200 lines");
    assert!(lines[0].starts_with("line 101 "));
    stream_logs(kube.clone(), pod_ref.clone(), None, true, false, tx.clone()).await;
    let Ok(SourceMsg::PodLog { lines, .. }) = rx.try_recv() else {
        panic!("no previous log")
    };
    assert_eq!(lines.unwrap(), ["FATAL cannot reach the database"]);
    let other = PodRef {
        namespace: "shop".into(),
        name: "catalog-5f7c9d8b6-bbbbb".into(),
    };
    stream_logs(kube, other, None, true, false, tx).await;
    let Ok(SourceMsg::PodLog { lines, .. }) = rx.try_recv() else {
        panic!("no answer")
    };
    assert!(lines.unwrap_err().contains("previous terminated container"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_reach_the_server_and_refusals_are_plain() {
    let server = seeded().await;
    server
        .state
        .lock()
        .unwrap()
        .forbidden
        .push("checkout-5f7c9d8b6-ccccc".into());
    let kube = connect(&server).await;
    let deploy = Owner {
        kind: "Deployment".into(),
        name: "catalog".into(),
    };

    let done = kubernetes::perform(
        &kube,
        &Action::DeletePod(PodRef {
            namespace: "shop".into(),
            name: "catalog-5f7c9d8b6-aaaaa".into(),
        }),
    )
    .await
    .unwrap();
    assert_eq!(done, "pod shop/catalog-5f7c9d8b6-aaaaa deleted");
    assert!(
        !server
            .state
            .lock()
            .unwrap()
            .pods
            .contains_key(&("shop".into(), "catalog-5f7c9d8b6-aaaaa".into()))
    );

    kubernetes::perform(
        &kube,
        &Action::Restart {
            namespace: "shop".into(),
            workload: deploy.clone(),
        },
    )
    .await
    .unwrap();
    let d = server.state.lock().unwrap().deployments[&("shop".to_string(), "catalog".to_string())]
        .clone();
    let stamp =
        d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .as_str()
            .unwrap()
            .to_string();
    assert!(stamp.parse::<Timestamp>().is_ok(), "{stamp}");

    kubernetes::perform(
        &kube,
        &Action::Scale {
            namespace: "shop".into(),
            workload: deploy,
            replicas: 6,
        },
    )
    .await
    .unwrap();
    let changes = server.changes();
    let (_, path, body) = changes.last().unwrap();
    assert_eq!(
        path,
        "/apis/apps/v1/namespaces/shop/deployments/catalog/scale"
    );
    assert_eq!(body["spec"]["replicas"], 6);

    let e = kubernetes::perform(
        &kube,
        &Action::DeletePod(PodRef {
            namespace: "shop".into(),
            name: "checkout-5f7c9d8b6-ccccc".into(),
        }),
    )
    .await
    .unwrap_err();
    assert!(e.starts_with("forbidden by RBAC"), "{e}");
    let e = kubernetes::perform(
        &kube,
        &Action::Scale {
            namespace: "shop".into(),
            workload: Owner {
                kind: "Deployment".into(),
                name: "nope".into(),
            },
            replicas: 1,
        },
    )
    .await
    .unwrap_err();
    assert!(e.starts_with("not found"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_cluster_is_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kubeconfig");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        &cfg,
        format!("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:{port}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user: {{}}\n"),
    )
    .unwrap();
    let kube = Kube::connect(&KubeOptions {
        kubeconfig: Some(cfg),
        ..KubeOptions::default()
    })
    .await
    .unwrap();
    assert_eq!(kube.namespace, "default");
    let (_scope_tx, scope_rx) = watch::channel(Some(PodScope {
        namespace: "default".into(),
        ..PodScope::default()
    }));
    let (tx, mut rx) = warroom::sources::channel();
    let task = tokio::spawn(kubernetes::watch_pods(
        kube,
        scope_rx,
        tx,
        Duration::from_millis(50),
    ));
    // First it says where it is connecting to, then what went wrong.
    let first = rx.recv().await.unwrap();
    let SourceMsg::Connecting { address, .. } = first else {
        panic!("{first:?}")
    };
    assert_eq!(address, format!("http://127.0.0.1:{port}"));
    let msg = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let SourceMsg::Pods { result: Err(e), .. } = msg else {
        panic!("{msg:?}")
    };
    assert!(
        e.to_lowercase().contains("connect") || e.contains("refused"),
        "{e}"
    );
    task.abort();

    let missing = Kube::connect(&KubeOptions {
        kubeconfig: Some(dir.path().join("nope")),
        ..KubeOptions::default()
    })
    .await
    .unwrap_err();
    assert!(missing.contains("nope"), "{missing}");
}

#[test]
fn read_only_refuses_every_change_before_asking() {
    let mut app = App::new(
        "alice".into(),
        SeverityMap::default(),
        Default::default(),
        Timestamp::now(),
    );
    app.settings.read_only = true;
    let mut mode = Mode::Normal;
    update(
        &mut app,
        &mut mode,
        Msg::Source(SourceMsg::Cluster {
            context: "test".into(),
            namespace: "shop".into(),
        }),
    );
    let p = warroom::domain::pod::Pod {
        namespace: "shop".into(),
        name: "catalog-5f7c9d8b6-aaaaa".into(),
        labels: [("pod-template-hash".to_string(), "5f7c9d8b6".to_string())].into(),
        owner: Some(Owner {
            kind: "ReplicaSet".into(),
            name: "catalog-5f7c9d8b6".into(),
        }),
        status: "Running".into(),
        ..Default::default()
    };
    update(
        &mut app,
        &mut mode,
        Msg::Source(SourceMsg::Pods {
            source: "kubernetes".into(),
            result: Ok(vec![p]),
        }),
    );
    app.focus = warroom::app::Pane::Pods;
    let key = |c| {
        Msg::Key(crossterm::event::KeyEvent::new(
            c,
            crossterm::event::KeyModifiers::NONE,
        ))
    };
    for k in ['d', 'X'] {
        let fx = update(&mut app, &mut mode, key(crossterm::event::KeyCode::Char(k)));
        assert!(!fx.iter().any(|e| matches!(e, Effect::Cluster(_))));
        assert!(matches!(mode, Mode::Normal));
        assert!(
            app.flash.as_ref().unwrap().text.contains("read-only"),
            "{:?}",
            app.flash
        );
    }
    let screen = render(&app, &mode, 200, 50);
    assert!(screen.contains("READ-ONLY"), "{screen}");

    // Without --read-only the same key asks, and y confirms.
    app.settings.read_only = false;
    update(
        &mut app,
        &mut mode,
        key(crossterm::event::KeyCode::Char('X')),
    );
    let screen = render(&app, &mode, 80, 24);
    assert!(
        screen.contains("rollout restart Deployment shop/catalog"),
        "{screen}"
    );
    let fx = update(
        &mut app,
        &mut mode,
        key(crossterm::event::KeyCode::Char('y')),
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Cluster(Action::Restart { .. })))
    );
    // Any other key cancels.
    update(
        &mut app,
        &mut mode,
        key(crossterm::event::KeyCode::Char('d')),
    );
    let fx = update(
        &mut app,
        &mut mode,
        key(crossterm::event::KeyCode::Char('n')),
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::Cluster(_))));
}

/// Least privilege: a scope with no namespace yet (before the cluster's
/// own is known) lists the kubeconfig's namespace, never every namespace;
/// all namespaces only when asked for by name.
#[tokio::test]
async fn only_the_namespaces_in_scope_are_listed() {
    let server = seeded().await;
    let kube = connect(&server).await;
    let (scope_tx, scope_rx) = watch::channel(Some(PodScope::default()));
    let (tx, mut rx) = warroom::sources::channel();
    let mut seen = Default::default();
    let task = tokio::spawn(kubernetes::watch_pods(
        kube,
        scope_rx,
        tx,
        Duration::from_millis(50),
    ));
    let pods = next_pods(&mut rx, &mut seen).await;
    assert!(pods.iter().all(|p| p.namespace == "shop"), "{pods:?}");
    let all = |server: &KubeServer| {
        server
            .requests()
            .iter()
            .filter(|r| r.starts_with("GET /api/v1/pods"))
            .count()
    };
    assert_eq!(
        all(&server),
        0,
        "listed every namespace: {:?}",
        server.requests()
    );
    // `:ns all` asks for them.
    scope_tx.send_replace(Some(PodScope {
        namespace: warroom::domain::pod::ALL_NAMESPACES.into(),
        ..PodScope::default()
    }));
    let pods = next_pods(&mut rx, &mut seen).await;
    assert!(pods.iter().any(|p| p.namespace != "shop"), "{pods:?}");
    assert!(all(&server) >= 1);
    task.abort();
}
