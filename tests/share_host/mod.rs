//! Test "hosts" sharing incidents through the test API server: each a
//! data dir of its own with a share task, as a cockpit would run it, for
//! the sharing suites.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::kube_server::KubeServer;
use jiff::Timestamp;
use warroom::domain::incident::{AlertRef, Event, EventKind, new_id};
use warroom::journal::Store;
use warroom::share::client::{ShareClient, selector};
use warroom::share::objects::{event_of, incident_label};
use warroom::share::sync::{ShareOptions, ShareStatus, Sharing};
use warroom::sources::kubernetes::{Kube, KubeOptions};

pub const NS: &str = "warroom";

pub struct Host {
    pub store: Store,
    _dir: tempfile::TempDir,
    pub sharing: Option<Sharing>,
    pub said: Arc<Mutex<Vec<ShareStatus>>>,
    pub name: &'static str,
}

/// The share namespace's ConfigMaps on the test server.
pub async fn client(server: &KubeServer) -> ShareClient {
    client_in(server, NS).await
}

/// The ConfigMaps of `namespace` on the test server.
pub async fn client_in(server: &KubeServer, namespace: &str) -> ShareClient {
    let kube = Kube::connect(&KubeOptions {
        kubeconfig: Some(server.kubeconfig.clone()),
        ..KubeOptions::default()
    })
    .await
    .unwrap();
    ShareClient::new(&kube, namespace)
}

impl Host {
    pub fn new(name: &'static str) -> Host {
        let dir = tempfile::tempdir().unwrap();
        Host {
            store: Store::new(&dir.path().join("incidents")),
            _dir: dir,
            sharing: None,
            said: Arc::default(),
            name,
        }
    }

    pub async fn share(&mut self, server: &KubeServer, id: &str, publish: bool) {
        self.share_with(server, id, publish, false).await;
    }

    /// Shares `id`, publishing command output too when `output`.
    pub async fn share_with(&mut self, server: &KubeServer, id: &str, publish: bool, output: bool) {
        let said = self.said.clone();
        self.sharing = Some(Sharing::start(
            client(server).await,
            self.store.clone(),
            id.to_string(),
            ShareOptions {
                output,
                publish,
                author: self.name.into(),
            },
            move |s| said.lock().unwrap().push(s),
        ));
    }

    /// A note written here: durable in the journal, then handed to the
    /// share task as the journal's follower does.
    pub fn note(&self, id: &str, text: &str) -> Event {
        let mut e = Event::new(
            Timestamp::now(),
            self.name.into(),
            EventKind::Note { text: text.into() },
        );
        e.id = new_id();
        self.store.append(id, &e).unwrap();
        if let Some(s) = &self.sharing {
            s.local(vec![e.clone()]);
        }
        e
    }

    pub fn ids(&self, id: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .store
            .load(id)
            .map(|l| l.events.into_iter().map(|e| e.id).collect())
            .unwrap_or_default();
        v.sort();
        v
    }

    /// A command this host ran, with its output, recorded here and handed
    /// to the share task.
    pub fn command(&self, id: &str, output: &str) -> Event {
        let mut e = Event::new(
            Timestamp::now(),
            self.name.into(),
            EventKind::CommandFinished {
                original: None,
                step: "check-1".into(),
                command: "kubectl -n shop get pods".into(),
                purpose: warroom::domain::incident::Purpose::Run,
                outcome: warroom::domain::incident::RunOutcome::Exited(0),
                duration_ms: 840,
                output: output.into(),
                omitted: 0,
                runbook: None,
                key: None,
            },
        );
        e.id = new_id();
        self.store.append(id, &e).unwrap();
        if let Some(s) = &self.sharing {
            s.local(vec![e.clone()]);
        }
        e
    }

    /// The incident as this host's journal folds.
    pub fn incident(&self, id: &str) -> warroom::domain::incident::Incident {
        warroom::domain::incident::Incident::fold(&self.store.load(id).unwrap().events).unwrap()
    }

    /// How many of the journal's events are the responders' own (not the
    /// share tasks' records of sharing, whose number depends on timing
    /// here, where every host of the test has the machine's one name).
    pub fn written(&self, id: &str) -> usize {
        self.store
            .load(id)
            .map(|l| {
                l.events
                    .iter()
                    .filter(|e| !matches!(e.kind, EventKind::Shared { .. }))
                    .count()
            })
            .unwrap_or(0)
    }

    /// Journal lines, repeats included (load leaves repeats out).
    pub fn lines(&self, id: &str) -> usize {
        std::fs::read_to_string(self.store.path(id).unwrap())
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }

    pub fn last_status(&self) -> Option<ShareStatus> {
        self.said.lock().unwrap().last().cloned()
    }

    pub fn export(&self, id: &str) -> String {
        let events = self.store.load(id).unwrap().events;
        warroom::domain::export::markdown(
            &events,
            warroom::domain::export::DEFAULT_TEMPLATE,
            &Default::default(),
        )
        .unwrap()
    }
}

pub async fn eventually(limit: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "{what} not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn declaration() -> Event {
    let t = Timestamp::now();
    let mut e = Event::new(
        t,
        "ana".into(),
        EventKind::Declared {
            id: String::new(),
            title: "catalog p99 above 500ms".into(),
            severity: warroom::domain::severity::Sev::P1,
            alert: AlertRef {
                name: "CatalogP99Latency".into(),
                fingerprint: "fp1".into(),
                labels: Default::default(),
                summary: "catalog p99 above 500ms".into(),
                starts_at: t,
            },
            runbook: None,
            exercise: None,
        },
    );
    e.id = new_id();
    e
}

/// Host `a` declares; the other hosts join through the cluster: the
/// declaration is found by the incident's label and adopted.
pub async fn join(server: &KubeServer, host: &mut Host, id: &str) {
    let c = client(server).await;
    let mut declared = None;
    eventually(
        Duration::from_secs(5),
        "the declaration in the cluster",
        || {
            declared = declaration_in_cluster(&c, id);
            declared.is_some()
        },
    )
    .await;
    host.store.adopt(id, &declared.unwrap()).unwrap();
    host.share(server, id, true).await;
}

/// The incident's declaration as the cluster has it (a blocking look, for
/// `eventually`).
pub fn declaration_in_cluster(c: &ShareClient, id: &str) -> Option<Event> {
    in_cluster(c, id)
        .into_iter()
        .find(|e| matches!(e.kind, EventKind::Declared { .. }))
}

/// The incident's events (in one object each) as the cluster has them (a
/// blocking look, for `eventually`).
pub fn in_cluster(c: &ShareClient, id: &str) -> Vec<Event> {
    let c = c.clone();
    let label = selector(&incident_label(id));
    let items = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(c.list(&label))
    })
    .join()
    .unwrap()
    .map(|(items, _)| items)
    .unwrap_or_default();
    items
        .iter()
        .filter_map(|o| event_of(o).ok())
        .map(|(_, e)| e)
        .collect()
}

/// The test alert declared on `a` alone (no claim asked for).
pub fn declared_here(a: &Host) -> String {
    a.store
        .declare_or_join(&declaration())
        .unwrap()
        .id()
        .to_string()
}

/// The test alert declared on `a`, which shares it.
pub async fn declared_on(server: &KubeServer, a: &mut Host) -> String {
    let id = declared_here(a);
    a.share(server, &id, true).await;
    id
}
