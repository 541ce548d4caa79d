//! Sharing at scale (issue 20): N hosts (separate data dirs) × M events on
//! one incident through the test API server, every host's share task
//! running as in the cockpit. Prints how fast the events were published and
//! how fast every host caught up, and fails unless all hosts converge on
//! the same events with none written twice.
//!
//! `cargo bench --bench share` (10 hosts × 1,000 events);
//! `WARROOM_BENCH_HOSTS=3 WARROOM_BENCH_EVENTS=200 cargo bench --bench share`
//! for a quick run. Not part of the test suite.

#![allow(clippy::unwrap_used, clippy::panic, dead_code)]

#[path = "../tests/kube_server/mod.rs"]
mod kube_server;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use warroom::domain::incident::{AlertRef, Event, EventKind, new_id};
use warroom::journal::Store;
use warroom::share::client::ShareClient;
use warroom::share::sync::{ShareOptions, Sharing, fetch_into};
use warroom::sources::kubernetes::{Kube, KubeOptions};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn lines(store: &Store, id: &str) -> usize {
    std::fs::read_to_string(store.path(id).unwrap())
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn main() {
    let (hosts, per) = (
        env("WARROOM_BENCH_HOSTS", 10),
        env("WARROOM_BENCH_EVENTS", 1000),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let server = kube_server::KubeServer::start().await;
        let kube = Kube::connect(&KubeOptions {
            kubeconfig: Some(server.kubeconfig.clone()),
            ..KubeOptions::default()
        })
        .await
        .unwrap();
        let client = ShareClient::new(&kube, "warroom");
        let dirs: Vec<tempfile::TempDir> =
            (0..hosts).map(|_| tempfile::tempdir().unwrap()).collect();
        let stores: Vec<Store> = dirs.iter().map(|d| Store::new(d.path())).collect();
        // The first host declares; the others start from the cluster.
        let t = Timestamp::now();
        let mut declared = Event::new(
            t,
            "host-0".into(),
            EventKind::Declared {
                id: String::new(),
                title: "bench".into(),
                severity: warroom::domain::severity::Sev::P2,
                alert: AlertRef::manual("bench", t),
                runbook: None,
                exercise: None,
            },
        );
        declared.id = new_id();
        let id = stores[0]
            .declare_or_join(&declared)
            .unwrap()
            .id()
            .to_string();
        let options = ShareOptions {
            output: false,
            publish: true,
            author: "bench".into(),
        };
        let mut sharing = vec![Sharing::start(
            client.clone(),
            stores[0].clone(),
            id.clone(),
            options.clone(),
            |_| {},
        )];
        for store in &stores[1..] {
            let started = Instant::now();
            while fetch_into(&client, store, &id).await.is_err() {
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "no declaration"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            sharing.push(Sharing::start(
                client.clone(),
                store.clone(),
                id.clone(),
                options.clone(),
                |_| {},
            ));
        }
        // Every host writes its events (durably, as the journal does) and
        // hands them to its share task.
        let start = Instant::now();
        for (h, (store, share)) in stores.iter().zip(&sharing).enumerate() {
            let mut batch = Vec::with_capacity(per);
            for n in 0..per {
                let mut e = Event::new(
                    Timestamp::now(),
                    format!("host-{h}"),
                    EventKind::Note {
                        text: format!("note {n} from host {h}"),
                    },
                );
                e.id = new_id();
                store.append(&id, &e).unwrap();
                batch.push(e);
            }
            share.local(batch);
        }
        let written = start.elapsed();
        let total = hosts * per + 1;
        // Published: every event an object on the server.
        let limit = Duration::from_secs(600);
        loop {
            let objects = server.state.lock().unwrap().configmaps.len();
            if objects >= total {
                break;
            }
            assert!(
                start.elapsed() < limit,
                "only {objects} of {total} published"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let published = start.elapsed();
        // Caught up: every host's journal holds every event.
        loop {
            if stores.iter().all(|s| lines(s, &id) >= total) {
                break;
            }
            assert!(start.elapsed() < limit, "the hosts did not catch up");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let caught_up = start.elapsed();
        let ids: Vec<HashSet<String>> = stores
            .iter()
            .map(|s| {
                s.load(&id)
                    .unwrap()
                    .events
                    .into_iter()
                    .map(|e| e.id)
                    .collect()
            })
            .collect();
        for (h, (set, store)) in ids.iter().zip(&stores).enumerate() {
            assert_eq!(set, &ids[0], "host {h} differs");
            assert_eq!(
                lines(store, &id),
                set.len(),
                "host {h} wrote an event twice"
            );
        }
        let rate = |n: usize, d: Duration| n as f64 / d.as_secs_f64().max(1e-9);
        println!("sharing: {hosts} hosts × {per} events on one incident ({total} events)");
        println!("  written locally      {written:>10.2?}");
        println!(
            "  all published        {published:>10.2?}  {:>8.0} events/s",
            rate(total, published)
        );
        println!(
            "  every host caught up {caught_up:>10.2?}  {:>8.0} events/s appended across hosts",
            rate(total * (hosts - 1).max(1), caught_up)
        );
        println!("  converged: {hosts} identical journals, 0 lost, 0 duplicated");
        drop(sharing);
    });
}
