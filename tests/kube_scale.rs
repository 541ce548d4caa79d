//! Pods at scale against the test API server: the pane follows changes
//! patched in place (the cursor stays on its pod), churn costs changes and
//! not lists, an expired watch lists again, bookmarks keep a quiet watch
//! current, a frozen server holds changes back, and RBAC refusals are plain.
#![allow(clippy::unwrap_used, clippy::panic)]

mod kube_server;

use std::time::{Duration, Instant};

use jiff::Timestamp;
use kube_server::{KubeServer, pod};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::{mpsc, watch};
use warroom::app::{App, Mode, Msg, Pane, update};
use warroom::domain::severity::SeverityMap;
use warroom::sources::SourceMsg;
use warroom::sources::kubernetes::{self, Kube, KubeOptions, PodScope};

struct Watched {
    server: KubeServer,
    app: App,
    rx: mpsc::Receiver<SourceMsg>,
    scope: watch::Sender<Option<PodScope>>,
    task: tokio::task::JoinHandle<()>,
    /// (full lists, change batches, changes) received.
    counts: (usize, usize, usize),
    errors: Vec<String>,
}

impl Drop for Watched {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn watched(server: KubeServer, namespace: &str) -> Watched {
    let kube = Kube::connect(&KubeOptions {
        kubeconfig: Some(server.kubeconfig.clone()),
        ..KubeOptions::default()
    })
    .await
    .unwrap();
    let (scope, scope_rx) = watch::channel(Some(PodScope {
        namespace: namespace.into(),
        ..PodScope::default()
    }));
    let (tx, rx) = warroom::sources::channel();
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
    update(
        &mut app,
        &mut Mode::Normal,
        Msg::Source(SourceMsg::Cluster {
            context: "test".into(),
            namespace: namespace.into(),
        }),
    );
    app.focus = Pane::Pods;
    Watched {
        server,
        app,
        rx,
        scope,
        task,
        counts: (0, 0, 0),
        errors: Vec::new(),
    }
}

impl Watched {
    /// Feeds the watch's messages to the cockpit until `done` holds.
    async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done(&self.app) {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(Some(msg)) = tokio::time::timeout(left, self.rx.recv()).await else {
                panic!(
                    "{what}: not seen; errors {:?}\n{}",
                    self.errors,
                    self.screen()
                );
            };
            self.take(msg);
        }
    }

    /// Feeds whatever comes within `d`.
    async fn for_a_while(&mut self, d: Duration) {
        let end = tokio::time::Instant::now() + d;
        while let Ok(Some(msg)) = tokio::time::timeout_at(end, self.rx.recv()).await {
            self.take(msg);
        }
    }

    fn take(&mut self, msg: SourceMsg) {
        match &msg {
            SourceMsg::Pods { result: Ok(_), .. } => self.counts.0 += 1,
            SourceMsg::Pods { result: Err(e), .. } => self.errors.push(e.clone()),
            SourceMsg::PodChanges { changes, .. } => {
                self.counts.1 += 1;
                self.counts.2 += changes.len();
            }
            _ => {}
        }
        update(&mut self.app, &mut Mode::Normal, Msg::Source(msg));
    }

    fn selected(&self) -> String {
        self.app
            .visible_pods()
            .get(self.app.pods.cursor)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    fn screen(&self) -> String {
        let mut t = Terminal::new(TestBackend::new(200, 50)).unwrap();
        t.draw(|f| warroom::ui::draw(f, &self.app, &Mode::Normal))
            .unwrap();
        let buf = t.backend().buffer();
        (0..50)
            .map(|y| (0..200).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn shows(name: &'static str) -> impl Fn(&App) -> bool {
    move |app| app.visible_pods().iter().any(|p| p.name == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pane_follows_adds_changes_and_deletes_and_the_cursor_stays_on_its_pod() {
    let server = KubeServer::start().await;
    for (name, state) in [
        ("api-b", "running"),
        ("api-c", "running"),
        ("api-d", "running"),
    ] {
        server.put_pod(pod("shop", name, "api", state, 0));
    }
    let mut w = watched(server, "shop").await;
    w.until("the list", |a| a.visible_pods().len() == 3).await;
    w.app.pods.cursor = 1;
    assert_eq!(w.selected(), "api-c");

    // Added before the selected pod: the cursor moves with its pod.
    w.server.put_pod(pod("shop", "api-a", "api", "running", 0));
    w.until("api-a added", shows("api-a")).await;
    assert_eq!(w.selected(), "api-c");
    assert!(w.screen().contains("api-a"), "{}", w.screen());

    // Modified: api-c crash-loops, so it sorts first; the cursor follows it.
    w.server.put_pod(pod("shop", "api-c", "api", "crash", 3));
    w.until("api-c crash-looping", |a| {
        a.visible_pods()
            .get(0)
            .is_some_and(|p| p.name == "api-c" && p.status == "CrashLoopBackOff")
    })
    .await;
    assert_eq!(w.selected(), "api-c");
    assert!(w.screen().contains("CrashLoopBackOff"));

    // Deleted: gone from the pane; the cursor still on api-c.
    w.server.remove_pod("shop", "api-b");
    w.until("api-b deleted", |a| !shows("api-b")(a)).await;
    assert_eq!(w.selected(), "api-c");
    let screen = w.screen();
    assert!(
        !screen.contains("api-b") && screen.contains("api-d"),
        "{screen}"
    );
    assert!(
        screen.contains("3/4 healthy") || screen.contains("2/3 healthy"),
        "{screen}"
    );

    // One list, then only changes; the view never rebuilt from every pod
    // for them.
    assert_eq!(w.counts.0, 1, "full lists");
    assert_eq!(w.app.pods.store.work().replacements, 1);
    assert!(w.counts.2 >= 3, "{:?}", w.counts);
    assert!(w.errors.is_empty(), "{:?}", w.errors);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn churn_is_sent_and_applied_as_changes_not_as_whole_lists() {
    let server = KubeServer::start().await;
    for i in 0..500 {
        server.put_pod(pod("shop", &format!("web-{i:03}"), "web", "running", 0));
    }
    let mut w = watched(server, "shop").await;
    w.until("the list", |a| a.visible_pods().len() == 500).await;
    let before = w.app.pods.store.work();
    let rv = w.server.resource_version();
    let churn = w.server.churn(100.0);
    w.for_a_while(Duration::from_millis(1500)).await;
    churn.abort();
    let churned = (w.server.resource_version() - rv) as usize;
    w.for_a_while(Duration::from_millis(300)).await;
    let after = w.app.pods.store.work();
    assert!(churned >= 50, "the churn ran: {churned}");
    assert_eq!(w.counts.0, 1, "no list after the first");
    assert_eq!(after.replacements, before.replacements);
    assert_eq!(
        after.rebuilt_pods, before.rebuilt_pods,
        "no pass over every pod for a change"
    );
    // Every change counted once at most (a pod changed twice in a batch
    // goes once), in batches at most every 100 ms.
    assert!(
        w.counts.2 <= churned && w.counts.2 >= churned / 2,
        "{:?} of {churned}",
        w.counts
    );
    assert!(w.counts.1 <= 20, "batches: {:?}", w.counts);
    assert_eq!(after.changes - before.changes, w.counts.2);
    // What the pane shows is what the server holds.
    let crashing = w
        .server
        .state
        .lock()
        .unwrap()
        .pods
        .values()
        .filter(|p| p["status"]["containerStatuses"][0]["ready"] == false)
        .count();
    let rows = w.app.pod_rows();
    assert_eq!(rows.rows.len() - rows.healthy, crashing);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_that_expired_lists_again_and_bookmarks_keep_a_quiet_one_current() {
    let server = KubeServer::start().await;
    server.bookmark_every(Duration::from_millis(100));
    server.put_pod(pod("shop", "api-a", "api", "running", 0));
    let mut w = watched(server, "shop").await;
    w.until("the list", shows("api-a")).await;
    w.for_a_while(Duration::from_millis(450)).await;
    assert!(
        w.server.bookmarks_sent() >= 2,
        "{}",
        w.server.bookmarks_sent()
    );

    // The server restarts having forgotten its history: resuming is `410
    // Gone`, so the watch lists again, and says no error for it.
    w.server.kill();
    w.server.put_pod(pod("shop", "api-b", "api", "running", 0));
    w.server.compact();
    w.server.restart().await;
    w.until("api-b after the relist", shows("api-b")).await;
    assert_eq!(w.counts.0, 2, "a second list");
    let expired = w
        .server
        .requests()
        .iter()
        .filter(|r| r.contains("watch=true"))
        .count();
    assert!(expired >= 2, "{:?}", w.server.requests());
    assert!(
        w.errors
            .iter()
            .all(|e| !e.contains("410") && !e.contains("too old")),
        "{:?}",
        w.errors
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_server_holds_changes_back_until_it_thaws() {
    let server = KubeServer::start().await;
    server.put_pod(pod("shop", "api-a", "api", "running", 0));
    let mut w = watched(server, "shop").await;
    w.until("the list", shows("api-a")).await;
    w.server.freeze();
    w.server.put_pod(pod("shop", "api-b", "api", "running", 0));
    w.for_a_while(Duration::from_millis(500)).await;
    assert!(!shows("api-b")(&w.app), "a frozen server streamed");
    w.server.thaw();
    w.until("api-b after the thaw", shows("api-b")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rbac_refusal_names_verb_resource_and_namespace_and_the_rest_keeps_working() {
    let server = KubeServer::start().await;
    server.put_pod(pod("shop", "api-a", "api", "running", 0));
    server.put_pod(pod("payments", "ledger-a", "ledger", "running", 0));
    server.deny("shop", "list");
    let mut w = watched(server, "shop").await;
    w.until("the refusal", |a| a.pods.status.error.is_some())
        .await;
    assert_eq!(w.errors[0], "forbidden by RBAC: list pods in shop");
    let screen = w.screen();
    assert!(
        screen.contains("forbidden by RBAC: list pods in shop"),
        "{screen}"
    );
    assert!(
        screen.contains("Alerts"),
        "the other panes are drawn: {screen}"
    );
    // Another namespace is allowed: its pods come.
    w.scope.send_replace(Some(PodScope {
        namespace: "payments".into(),
        ..PodScope::default()
    }));
    w.app.pods.namespace_override = Some("payments".into());
    w.until("payments' pods", shows("ledger-a")).await;
}
