//! Game-days end to end through the cockpit's reducer and its real effect
//! runner: a real Prometheus scrapes a tiny exporter the test flips, and the
//! fault lives on the test API server (Chaos Mesh's custom resources). The
//! pre-flight asks both; the name typed applies the fault (labelled as
//! warroom's); the abort query, polled every second, stops it within one
//! poll of the metric turning bad, deleting the fault at once; a quiet
//! window holds; out-of-bounds manifests never reach the server; every
//! apply and delete is in the audit log; quitting and a crash leave nothing
//! behind.
#![allow(clippy::unwrap_used, clippy::panic)]

mod kube_server;
mod servers;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use kube_server::{KubeServer, pod};
use servers::{Exporter, Server, prometheus_scraping};
use tokio::sync::{mpsc, watch};
use warroom::app::gameday::Phase;
use warroom::app::{App, Mode, Msg, update};
use warroom::cockpit::Effects;
use warroom::config::{Auth, Endpoint};
use warroom::domain::incident::{Event, EventKind, Outcome};
use warroom::domain::severity::SeverityMap;
use warroom::journal::audit::{AuditLog, AuditRecord};
use warroom::journal::{JournalMsg, Store};
use warroom::sources::SourceMsg;
use warroom::sources::http::Http;
use warroom::sources::kubernetes::{
    EXPERIMENT_LABEL, Kube, KubeOptions, MANAGED_BY_LABEL, PodScope, label_value,
};
use warroom::sources::prometheus::Prometheus;

const NAME: &str = "checkout-errors-pod-kill";
const FAULT: &str = "checkout-pod-kill";
const METRIC: &str = "checkout_errors_ratio";

/// The experiment: kill one checkout pod; abort the moment more than 10% of
/// checkout requests fail. `window` and the fault's `duration` as given.
fn experiment_text(window: &str, mode: &str, duration: &str) -> String {
    format!(
        "name: {NAME}
hypothesis: Killing one checkout pod keeps the checkout error ratio under 10%.
runbook: pod-crash-loop
blast_radius:
  namespace: shop
  selector: app=checkout
  max_pods: 1
  max_duration: 1m
  contexts: [test]
window: {window}
poll: 1s
abort: {METRIC} > 0.1
steady_state: {METRIC} > 0.1
manifest:
  apiVersion: chaos-mesh.org/v1alpha1
  kind: PodChaos
  metadata:
    name: {FAULT}
    namespace: shop
  spec:
    action: pod-kill
    mode: {mode}
    duration: {duration}
    selector:
      namespaces: [shop]
      labelSelectors:
        app: checkout
"
    )
}

fn write_experiment(dir: &Path, file: &str, text: &str) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path
}

/// The world a game-day runs against: the API server with three checkout
/// pods, the exporter (healthy) and Prometheus scraping it every second
/// (see [`World::scraping`]).
struct World {
    server: KubeServer,
    exporter: Exporter,
    prometheus: Server,
}

impl World {
    async fn start() -> World {
        let server = KubeServer::start().await;
        for (i, name) in ["a", "b", "c"].iter().enumerate() {
            server.put_pod(pod(
                "shop",
                &format!("checkout-5f7c9d8b6-{name}{i}"),
                "checkout",
                "running",
                0,
            ));
        }
        server.put_pod(pod(
            "shop",
            "payments-5f7c9d8b6-zz",
            "payments",
            "running",
            0,
        ));
        let exporter = Exporter::start(METRIC, 0.0);
        let prometheus = tokio::task::spawn_blocking({
            let port = exporter.port;
            move || prometheus_scraping("groups: []\n", None, &[port])
        })
        .await
        .unwrap();
        World {
            server,
            exporter,
            prometheus,
        }
    }

    /// Waits for Prometheus to have scraped the healthy value (its first
    /// scrape comes about 5 s after it starts), so an empty abort answer
    /// means healthy, not "no data yet".
    async fn scraping(&self) {
        self.until_prometheus_says(0.0).await;
    }

    /// Waits until Prometheus's latest sample of the metric is `v`.
    async fn until_prometheus_says(&self, v: f64) -> Instant {
        let prom = prom_client(&self.prometheus.url());
        let start = Instant::now();
        loop {
            if let Ok(series) = prom.instant(METRIC).await
                && series.iter().any(|(_, x)| *x == v)
            {
                return Instant::now();
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "Prometheus never said {METRIC} = {v} (scrapes: {})",
                self.exporter.scrapes()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Requests that touched Chaos Mesh's API (discovery included).
    fn chaos_requests(&self) -> Vec<String> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| r.contains("chaos-mesh.org"))
            .collect()
    }
}

fn prom_client(url: &str) -> Prometheus {
    Prometheus::new(
        Http::new(Endpoint {
            url: url.parse().unwrap(),
            auth: Auth::None,
            ca_pem: None,
            poll_interval: Duration::from_millis(200),
            timeout: Duration::from_secs(5),
        })
        .unwrap(),
    )
}

/// The cockpit's reducer wired to the real effect runner, as the loop does
/// (without a terminal): the clock read before every message, ticks every
/// 200 ms of real time.
struct Cockpit {
    app: App,
    mode: Mode,
    fx: Effects,
    rx: mpsc::Receiver<Msg>,
    _sources: mpsc::Receiver<SourceMsg>,
    _scope: watch::Receiver<Option<PodScope>>,
    _query: watch::Receiver<Option<warroom::sources::MetricRequest>>,
    data: PathBuf,
    /// What arrived, when: every message fed to the reducer.
    seen: Vec<(Instant, String)>,
}

impl Cockpit {
    async fn new(world: &World, data: &Path) -> Cockpit {
        let kube = Kube::connect(&KubeOptions {
            kubeconfig: Some(world.server.kubeconfig.clone()),
            ..KubeOptions::default()
        })
        .await
        .unwrap();
        let (tx, rx) = mpsc::channel(warroom::cockpit::QUEUE);
        let (query_tx, query_rx) = watch::channel(None);
        let (src_tx, src_rx) = warroom::sources::channel();
        let (scope_tx, scope_rx) = watch::channel(None);
        let fx = Effects::new(Store::new(data), data.to_path_buf(), tx, query_tx, src_tx)
            .with_author("alice".into())
            .with_prometheus(Some(prom_client(&world.prometheus.url())))
            .with_cluster(kube.clone(), scope_tx);
        let lib = warroom::sources::runbook_files::load(&[
            Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks")
        ]);
        let app = App::new(
            "alice".into(),
            SeverityMap::default(),
            lib,
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
            data: data.to_path_buf(),
            seen: Vec::new(),
        };
        c.send(Msg::Source(SourceMsg::Cluster {
            context: kube.context.clone(),
            namespace: kube.namespace.clone(),
        }));
        assert_eq!(c.app.cluster.as_ref().map(|c| c.0.as_str()), Some("test"));
        c
    }

    /// As the loop does: the clock is read before every message.
    fn send(&mut self, msg: Msg) {
        self.app.now = Timestamp::now();
        for e in update(&mut self.app, &mut self.mode, msg) {
            self.fx.perform(e);
        }
    }

    fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn chars(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn command(&mut self, line: &str) {
        self.key(KeyCode::Char(':'));
        self.chars(line);
        self.key(KeyCode::Enter);
    }

    /// Feeds the effects' answers back in, ticking the clock, until `done`
    /// says so after a message (or a tick); panics after `limit`.
    async fn until(&mut self, limit: Duration, what: &str, mut done: impl FnMut(&Cockpit) -> bool) {
        let start = Instant::now();
        let mut last_tick = Instant::now();
        loop {
            if done(self) {
                return;
            }
            assert!(
                start.elapsed() < limit,
                "timed out after {limit:?} waiting for {what}; flash {:?}; seen {:#?}",
                self.app.flash,
                self.seen
            );
            match tokio::time::timeout(Duration::from_millis(50), self.rx.recv()).await {
                Ok(Some(msg)) => {
                    self.seen.push((Instant::now(), describe(&msg)));
                    self.send(msg);
                }
                Ok(None) => panic!("the effect runner is gone"),
                Err(_) => {}
            }
            if last_tick.elapsed() >= Duration::from_millis(200) {
                last_tick = Instant::now();
                self.send(Msg::Tick(Timestamp::now()));
            }
        }
    }

    /// Feeds answers and ticks for `d`, whatever happens.
    async fn pump(&mut self, d: Duration) {
        let end = Instant::now() + d;
        let mut last_tick = Instant::now();
        while Instant::now() < end {
            if let Ok(Some(msg)) =
                tokio::time::timeout(Duration::from_millis(50), self.rx.recv()).await
            {
                self.seen.push((Instant::now(), describe(&msg)));
                self.send(msg);
            }
            if last_tick.elapsed() >= Duration::from_millis(200) {
                last_tick = Instant::now();
                self.send(Msg::Tick(Timestamp::now()));
            }
        }
    }

    fn id(&self) -> String {
        self.app.incident.as_ref().expect("declared").id.clone()
    }

    /// The journal as the store has it.
    fn journal(&self) -> Vec<Event> {
        Store::new(&self.data).load(&self.id()).unwrap().events
    }

    fn ended(&self) -> bool {
        self.journal()
            .iter()
            .any(|e| matches!(e.kind, EventKind::ExperimentEnded { .. }))
    }

    fn audit(&self) -> Vec<AuditRecord> {
        let (records, warnings) = AuditLog::new(&self.data).read(None).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        records
    }

    /// When the first message matching `pick` arrived.
    fn when(&self, pick: &str) -> Option<Instant> {
        self.seen
            .iter()
            .find(|(_, m)| m.starts_with(pick))
            .map(|(t, _)| *t)
    }

    /// `:gameday FILE`, waiting for the pre-flight's answers.
    async fn preflight(&mut self, path: &Path) {
        self.command(&format!("gameday {}", path.display()));
        self.until(Duration::from_secs(10), "the pre-flight's answers", |c| {
            c.app
                .gameday
                .as_ref()
                .is_some_and(|g| g.steady.is_some() && g.abort_probe.is_some() && g.pods.is_some())
        })
        .await;
        assert!(matches!(self.mode, Mode::Gameday(_)));
    }

    /// Types the name and waits for the fault to be on the server.
    async fn start(&mut self, world: &World) {
        self.chars(NAME);
        self.key(KeyCode::Enter);
        assert!(matches!(self.mode, Mode::Normal), "{:?}", self.mode.kind());
        self.until(Duration::from_secs(10), "the fault applied", |c| {
            c.app
                .gameday
                .as_ref()
                .is_some_and(|g| g.phase != Phase::Declaring && g.phase != Phase::Applying)
        })
        .await;
        assert_eq!(
            self.app.gameday.as_ref().unwrap().phase,
            Phase::Running,
            "{:?}",
            self.app.flash
        );
        assert!(world.server.custom("podchaos", "shop", FAULT).is_some());
    }
}

/// A message in a few words, for timing and for failure output.
fn describe(m: &Msg) -> String {
    match m {
        Msg::ExerciseAnswer { ask, result, .. } => match result {
            Ok(s) if s.is_empty() => format!("answer {ask:?} empty"),
            Ok(s) => format!("answer {ask:?} data {s:?}"),
            Err(e) => format!("answer {ask:?} error {e}"),
        },
        Msg::FaultApplied { what, result } => format!("applied {what}: {result:?}"),
        Msg::FaultDeleted { what, result } => format!("deleted {what}: {result:?}"),
        Msg::Journal(JournalMsg::Events { events, .. }) => format!(
            "journal {:?}",
            events.iter().map(|e| e.kind.describe()).collect::<Vec<_>>()
        ),
        Msg::Declared(r) => format!("declared {:?}", r.as_ref().map(|o| o.declared.clone())),
        other => {
            let s = format!("{other:?}");
            s.chars().take(80).collect()
        }
    }
}

fn ended_event(
    events: &[Event],
) -> (
    Outcome,
    String,
    Option<warroom::domain::incident::exercise::AbortEvidence>,
    usize,
) {
    events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::ExperimentEnded {
                outcome,
                why,
                evidence,
                series,
            } => Some((*outcome, why.clone(), evidence.clone(), series.len())),
            _ => None,
        })
        .expect("ExperimentEnded")
}

fn cluster_actions(events: &[Event]) -> Vec<(String, bool)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ClusterAction { action, ok, .. } => Some((action.clone(), *ok)),
            _ => None,
        })
        .collect()
}

fn audited(c: &Cockpit) -> Vec<(String, String, Option<u16>)> {
    c.audit()
        .into_iter()
        .map(|r| (r.action, r.request.method, r.answer.status))
        .collect()
}

/// The metric turns bad during the window: the next abort poll sees it,
/// the fault is deleted from the server at once, and the journal has the
/// abort with its evidence; the audit log has the apply and the delete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_abort_query_stops_the_game_day_within_one_poll_and_deletes_the_fault() {
    let world = World::start().await;
    world.scraping().await;
    let data = tempfile::tempdir().unwrap();
    let path = write_experiment(
        data.path(),
        "kill.yaml",
        &experiment_text("8s", "one", "8s"),
    );
    let mut c = Cockpit::new(&world, data.path()).await;
    c.preflight(&path).await;
    let g = c.app.gameday.as_ref().unwrap();
    assert_eq!(g.steady, Some(Ok(0)), "steady: the abort metric is healthy");
    assert_eq!(g.pods, Some(Ok(3)), "three checkout pods");
    let failed: Vec<_> = g
        .checks(false, true)
        .into_iter()
        .filter(|c| !c.ok)
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(
        world.chaos_requests().is_empty(),
        "nothing asked of Chaos Mesh before the name"
    );

    c.start(&world).await;
    let id = c.id();
    assert!(id.starts_with("gameday-"), "{id}");
    let obj = world.server.custom("podchaos", "shop", FAULT).unwrap();
    assert_eq!(obj["metadata"]["labels"][MANAGED_BY_LABEL], "warroom");
    assert_eq!(
        obj["metadata"]["labels"][EXPERIMENT_LABEL],
        label_value(&id).as_str()
    );
    assert_eq!(obj["spec"]["mode"], "one");
    assert_eq!(obj["spec"]["duration"], "8s");

    // A healthy poll or two first.
    c.until(Duration::from_secs(5), "an empty abort answer", |c| {
        c.when("answer Abort empty").is_some()
    })
    .await;
    world.exporter.set(0.5);
    let flipped = Instant::now();
    let scraped = world.until_prometheus_says(0.5).await;
    c.until(Duration::from_secs(6), "the abort", |c| {
        c.ended() && cluster_actions(&c.journal()).len() == 2
    })
    .await;
    let gone = Instant::now();
    let answered = c.when("answer Abort data").expect("the abort answered");
    let deleted = c.when("deleted ").expect("the fault deleted");
    // Within one poll (1 s) of Prometheus having the bad value, with room
    // for one query in flight.
    assert!(
        answered.saturating_duration_since(scraped) <= Duration::from_millis(2500),
        "abort answered {:?} after Prometheus had the value; seen {:#?}",
        answered.saturating_duration_since(scraped),
        c.seen
    );
    assert!(
        deleted.duration_since(answered) < Duration::from_secs(1),
        "deleted {:?} after the answer",
        deleted.duration_since(answered)
    );
    assert!(gone.duration_since(flipped) < Duration::from_secs(6));
    // The window had not ended: it was the abort that stopped it.
    assert!(c.when("answer SteadyAfter").is_none());

    let events = c.journal();
    let (outcome, why, evidence, series) = ended_event(&events);
    assert_eq!(outcome, Outcome::Aborted, "{why}");
    let evidence = evidence.expect("abort evidence");
    assert_eq!(evidence.value, 0.5);
    assert_eq!(evidence.query, format!("{METRIC} > 0.1"));
    assert!(
        evidence.series.contains("job=\"exporter\""),
        "{}",
        evidence.series
    );
    assert!(
        series >= 2,
        "the empty answers and the one that aborted: {series}"
    );
    assert_eq!(
        cluster_actions(&events),
        [
            (format!("apply PodChaos {FAULT}"), true),
            (format!("delete PodChaos shop/{FAULT}"), true)
        ]
    );
    let methods: Vec<(String, String)> = world
        .server
        .changes()
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    let path = format!("/apis/chaos-mesh.org/v1alpha1/namespaces/shop/podchaos/{FAULT}");
    assert_eq!(
        methods,
        [
            ("PATCH".to_string(), path.clone()),
            ("DELETE".to_string(), path)
        ]
    );
    let audit = audited(&c);
    assert_eq!(
        audit,
        [
            (format!("apply PodChaos {FAULT}"), "PATCH".into(), Some(201)),
            (
                format!("delete PodChaos shop/{FAULT}"),
                "DELETE".into(),
                Some(200)
            )
        ]
    );
    assert!(
        c.audit()
            .iter()
            .all(|r| r.incident.as_deref() == Some(id.as_str()))
    );
    // Nothing more is asked once it stopped.
    let polls = c
        .seen
        .iter()
        .filter(|(_, m)| m.starts_with("answer Abort"))
        .count();
    c.pump(Duration::from_secs(2)).await;
    let after = c
        .seen
        .iter()
        .filter(|(_, m)| m.starts_with("answer Abort"))
        .count();
    assert_eq!(polls, after, "no abort poll after the abort");
}

/// Nothing turns bad: the window (4 s, polled every second) ends, the fault
/// is deleted then and not before, the steady state is asked again and the
/// hypothesis held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_window_ends_with_the_fault_deleted_and_the_hypothesis_held() {
    let world = World::start().await;
    world.scraping().await;
    let data = tempfile::tempdir().unwrap();
    let path = write_experiment(
        data.path(),
        "kill.yaml",
        &experiment_text("4s", "one", "4s"),
    );
    let mut c = Cockpit::new(&world, data.path()).await;
    c.preflight(&path).await;
    c.start(&world).await;
    let applied = c.when("applied ").expect("applied");
    c.until(Duration::from_secs(10), "the end of the window", |c| {
        c.ended() && cluster_actions(&c.journal()).len() == 2
    })
    .await;
    let deleted = c.when("deleted ").expect("deleted");
    let window = deleted.duration_since(applied);
    // Prometheus had the healthy value all along: the window was watched.
    world.until_prometheus_says(0.0).await;
    assert!(
        window >= Duration::from_secs(4) && window < Duration::from_millis(5500),
        "deleted {window:?} after it was applied; seen {:#?}",
        c.seen
    );
    let events = c.journal();
    let (outcome, why, evidence, series) = ended_event(&events);
    assert_eq!(outcome, Outcome::Held, "{why}");
    assert!(evidence.is_none());
    assert!(
        (3..=6).contains(&series),
        "about one abort answer a second over 4 s: {series}"
    );
    assert!(c.when("answer SteadyAfter empty").is_some());
    assert!(c.when("answer Abort data").is_none());
    let audit = audited(&c);
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(audit[0].1, "PATCH");
    assert_eq!(audit[1].1, "DELETE");
    assert!(world.server.custom_objects().is_empty());
}

/// Out-of-bounds experiments are refused at the pre-flight, whatever is
/// typed: no request reaches Chaos Mesh's API, nothing is declared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_bounds_manifests_are_refused_with_no_request_to_the_server() {
    let world = World::start().await;
    let data = tempfile::tempdir().unwrap();
    let cases = [
        ("all.yaml", experiment_text("4s", "all", "4s"), "Pod count"),
        ("long.yaml", experiment_text("4s", "one", "30s"), "Duration"),
        (
            "elsewhere.yaml",
            experiment_text("4s", "one", "4s").replace(
                "  metadata:\n    name: checkout-pod-kill\n    namespace: shop",
                "  metadata:\n    name: checkout-pod-kill\n    namespace: payments",
            ),
            "Namespace",
        ),
    ];
    for (file, text, check) in cases {
        let path = write_experiment(data.path(), file, &text);
        let mut c = Cockpit::new(&world, data.path()).await;
        c.preflight(&path).await;
        let g = c.app.gameday.as_ref().unwrap();
        let failed: Vec<String> = g
            .checks(false, true)
            .into_iter()
            .filter(|c| !c.ok)
            .map(|c| c.label)
            .collect();
        assert_eq!(failed, [check], "{file}");
        c.chars(NAME);
        c.key(KeyCode::Enter);
        let Mode::Gameday(d) = &c.mode else {
            panic!("{file}: the pre-flight stays up")
        };
        let err = d.error.clone().unwrap_or_default();
        assert!(
            err.starts_with(&format!("refused — {check}")),
            "{file}: {err}"
        );
        c.pump(Duration::from_millis(500)).await;
        assert!(c.app.incident.is_none(), "{file}: nothing declared");
    }
    assert_eq!(world.chaos_requests(), Vec::<String>::new());
    assert!(world.server.changes().is_empty());
    assert!(world.server.custom_objects().is_empty());
    assert!(
        !data.path().join("incidents").exists()
            || std::fs::read_dir(data.path().join("incidents"))
                .unwrap()
                .all(|e| !e.unwrap().path().to_string_lossy().ends_with(".jsonl"))
    );
    let audit = AuditLog::new(data.path()).read(None).unwrap().0;
    assert!(audit.is_empty(), "{audit:?}");
}

/// Leaving the cockpit during the window deletes the fault (audited) and
/// records the game-day as stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_during_the_window_deletes_the_fault() {
    let world = World::start().await;
    let data = tempfile::tempdir().unwrap();
    let path = write_experiment(
        data.path(),
        "kill.yaml",
        &experiment_text("30s", "one", "30s"),
    );
    let mut c = Cockpit::new(&world, data.path()).await;
    c.preflight(&path).await;
    c.start(&world).await;
    c.pump(Duration::from_millis(500)).await;
    tokio::time::timeout(Duration::from_secs(10), c.fx.remove_faults())
        .await
        .expect("leaving is bounded");
    assert!(world.server.custom("podchaos", "shop", FAULT).is_none());
    let events = c.journal();
    let (outcome, why, _, _) = ended_event(&events);
    assert_eq!(outcome, Outcome::Stopped);
    assert!(why.contains("left during the window"), "{why}");
    let audit = audited(&c);
    assert_eq!(
        audit.last().map(|a| (a.0.as_str(), a.1.as_str())),
        Some((
            format!("delete PodChaos shop/{FAULT} (the cockpit is leaving)").as_str(),
            "DELETE"
        ))
    );
}

/// A cockpit that died during the window left its fault; the next one finds
/// it by warroom's labels and `:cleanup` deletes it. Someone else's fault is
/// left alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_crash_cleanup_finds_and_deletes_the_fault_left_behind() {
    let world = World::start().await;
    let data = tempfile::tempdir().unwrap();
    let path = write_experiment(
        data.path(),
        "kill.yaml",
        &experiment_text("30s", "one", "30s"),
    );
    {
        let mut c = Cockpit::new(&world, data.path()).await;
        c.preflight(&path).await;
        c.start(&world).await;
        // Dropped without leaving properly: a crash.
    }
    world.server.put_custom(serde_json::json!({
        "apiVersion": "chaos-mesh.org/v1alpha1", "kind": "PodChaos",
        "metadata": {"name": "by-hand", "namespace": "shop"},
        "spec": {"action": "pod-kill", "mode": "one",
                 "selector": {"namespaces": ["shop"], "labelSelectors": {"app": "checkout"}}}
    }));
    let later = tempfile::tempdir().unwrap();
    let mut c = Cockpit::new(&world, later.path()).await;
    c.command("cleanup");
    c.until(Duration::from_secs(10), "the leftovers found", |c| {
        !c.app.leftovers.is_empty()
    })
    .await;
    let found: Vec<String> = c.app.leftovers.iter().map(|f| f.describe()).collect();
    assert_eq!(found, [format!("PodChaos shop/{FAULT}")]);
    c.command("cleanup");
    c.until(Duration::from_secs(10), "the leftover deleted", |_| {
        world.server.custom("podchaos", "shop", FAULT).is_none()
    })
    .await;
    c.until(Duration::from_secs(10), "its audit record", |c| {
        !c.audit().is_empty()
    })
    .await;
    assert!(world.server.custom("podchaos", "shop", "by-hand").is_some());
    let audit = audited(&c);
    assert_eq!(
        audit,
        [(
            format!("delete PodChaos shop/{FAULT}"),
            "DELETE".into(),
            Some(200)
        )]
    );
}
