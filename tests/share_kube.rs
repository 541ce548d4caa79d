//! Sharing an incident's events through the cluster (issue 20), the
//! storage layer against the test API server: create-only ConfigMaps named
//! from event ids (a second create is 409 and a success), found by listing
//! the incident's label, followed by a watch that survives a killed server
//! and a compacted history (410 Gone), refused plainly by RBAC, and read by
//! the real kubectl.
#![allow(clippy::unwrap_used, clippy::panic)]

mod kube_server;
mod share_host;

use std::time::Duration;

use futures_util::StreamExt;
use jiff::Timestamp;
use kube_server::KubeServer;
use serde_json::Value;
use warroom::domain::incident::{Event, EventKind};
use warroom::share::client::{Created, ShareError, Watched, selector};
use warroom::share::objects::{
    claim_name, claim_object, claimed, event_name, event_object, event_of, incident_label,
    shareable,
};

use share_host::{NS, client as connect, client_in};

/// A note as the journal holds it: with its id.
fn note(text: &str) -> Event {
    let mut e = Event::new(
        Timestamp::now(),
        "ana".into(),
        EventKind::Note { text: text.into() },
    );
    e.id = warroom::domain::incident::new_id();
    e
}

fn object(incident: &str, e: &Event) -> Value {
    event_object(NS, incident, &shareable(e, false)).unwrap()
}

#[tokio::test]
async fn a_create_is_idempotent_and_an_incident_lists_by_its_label() {
    let server = KubeServer::start().await;
    let a = connect(&server).await;
    let e = note("rolling back");
    assert_eq!(a.create(&object("inc-a", &e)).await, Ok(Created::New));
    // A retry, or another host publishing the same fact: one object.
    assert_eq!(
        a.create(&object("inc-a", &e)).await,
        Ok(Created::AlreadyThere)
    );
    a.create(&object("inc-a", &note("second"))).await.unwrap();
    a.create(&object("inc-b", &note("elsewhere")))
        .await
        .unwrap();
    let (items, rv) = a.list(&selector(&incident_label("inc-a"))).await.unwrap();
    assert!(!rv.is_empty());
    let mut texts: Vec<String> = items
        .iter()
        .map(|o| {
            let (id, ev) = event_of(o).unwrap();
            assert_eq!(id, "inc-a");
            match ev.kind {
                EventKind::Note { text } => text,
                other => panic!("{other:?}"),
            }
        })
        .collect();
    texts.sort();
    assert_eq!(texts, ["rolling back", "second"]);
    // Deleting (prune) is idempotent too.
    a.delete(&event_name(&e.id)).await.unwrap();
    a.delete(&event_name(&e.id)).await.unwrap();
    assert_eq!(a.get(&event_name(&e.id)).await, Ok(None));
}

#[tokio::test]
async fn the_first_claim_of_an_alert_and_day_wins() {
    let server = KubeServer::start().await;
    let (a, b) = (connect(&server).await, connect(&server).await);
    let day: Timestamp = "2026-11-29T03:00:00Z".parse().unwrap();
    let declared = |host: &str, author: &str| {
        let mut e = note("x");
        e.host = host.into();
        e.author = author.into();
        e
    };
    let mine = claim_object(NS, "fp1", day, "inc-a", &declared("laptop-1", "ana"));
    let theirs = claim_object(NS, "fp1", day, "inc-b", &declared("laptop-2", "bob"));
    assert_eq!(a.create(&mine).await, Ok(Created::New));
    // The second host is told the claim is taken, and reads whose it is.
    assert_eq!(b.create(&theirs).await, Ok(Created::AlreadyThere));
    let got = b.get(&claim_name("fp1", day)).await.unwrap().unwrap();
    let claim = claimed(&got).unwrap();
    assert_eq!(
        (
            claim.incident.as_str(),
            claim.host.as_str(),
            claim.author.as_str()
        ),
        ("inc-a", "laptop-1", "ana")
    );
    // A note is not a declaration: none is offered to start from.
    assert_eq!(claim.declaration, None);
}

/// The next object the watch brings whose event is `text`, within `limit`.
async fn next_note(
    stream: &mut (impl futures_util::Stream<Item = Result<Watched, ShareError>> + Unpin),
    text: &str,
    limit: Duration,
) {
    tokio::time::timeout(limit, async {
        loop {
            match stream.next().await {
                Some(Ok(Watched::Object(o))) => {
                    if let Ok((_, e)) = event_of(&o)
                        && e.kind == (EventKind::Note { text: text.into() })
                    {
                        return;
                    }
                }
                Some(Ok(Watched::Relisting | Watched::Listed) | Err(_)) => {}
                None => panic!("the watch ended"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{text:?} not seen within {limit:?}"));
}

#[tokio::test]
async fn the_watch_brings_other_hosts_events_through_a_killed_server_and_a_compaction() {
    let server = KubeServer::start().await;
    server.bookmark_every(Duration::from_millis(300));
    let (a, b) = (connect(&server).await, connect(&server).await);
    a.create(&object("inc-a", &note("before"))).await.unwrap();
    let mut watch = Box::pin(b.watch(&selector(&incident_label("inc-a"))));
    // What was there is listed first, then what comes is streamed.
    next_note(&mut watch, "before", Duration::from_secs(5)).await;
    a.create(&object("inc-a", &note("live"))).await.unwrap();
    next_note(&mut watch, "live", Duration::from_secs(1)).await;
    // Bookmarks keep the watch's place while nothing happens.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(server.bookmarks_sent() > 0);
    // The server dies: a write says it is unreachable.
    server.kill();
    let e = note("while down");
    assert!(matches!(
        a.create(&object("inc-a", &e)).await,
        Err(ShareError::Unreachable(_))
    ));
    server.restart().await;
    // Written again after the restart, it reaches the watcher, which came
    // back by itself.
    a.create(&object("inc-a", &e)).await.unwrap();
    next_note(&mut watch, "while down", Duration::from_secs(10)).await;
    // History compacted away: the watch is told 410 Gone, lists again, and
    // still brings what is new.
    server.compact();
    server.kill();
    server.restart().await;
    a.create(&object("inc-a", &note("after compaction")))
        .await
        .unwrap();
    next_note(&mut watch, "after compaction", Duration::from_secs(10)).await;
}

/// The README's Role for the share namespace.
fn readme_share_role() -> Value {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block = readme
        .split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split_once("```").map(|(y, _)| y))
        .find(|y| y.contains("name: warroom-share"))
        .expect("the share Role in the README");
    serde_yaml::from_str(block).unwrap()
}

#[tokio::test]
async fn rbac_refusals_are_said_plainly() {
    let server = KubeServer::start().await;
    let a = connect(&server).await;
    server.deny(NS, "create");
    match a.create(&object("inc-a", &note("x"))).await {
        Err(ShareError::Forbidden(why)) => assert!(why.contains("configmaps"), "{why}"),
        other => panic!("{other:?}"),
    }
    // The Role the README gives, read from the README, is enough.
    let server = KubeServer::start().await;
    server.allow_only(Vec::new());
    server.bind_role(&readme_share_role(), NS);
    let a = connect(&server).await;
    a.create(&object("inc-a", &note("y"))).await.unwrap();
    let (items, _) = a.list(&selector(&incident_label("inc-a"))).await.unwrap();
    assert_eq!(items.len(), 1);
    // Another namespace is refused.
    let other = client_in(&server, "default").await;
    assert!(matches!(
        other.list(&selector("x")).await,
        Err(ShareError::Forbidden(_))
    ));
}

#[tokio::test]
async fn real_kubectl_lists_a_shared_incident() {
    if std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_err()
    {
        eprintln!("skipped: kubectl is not installed (scripts/test.sh installs it)");
        return;
    }
    let server = KubeServer::start().await;
    let a = connect(&server).await;
    a.create(&object(
        "2026-11-29-catalog-p99-latency",
        &note("seen by kubectl"),
    ))
    .await
    .unwrap();
    let cfg = server.kubeconfig.clone();
    let cache = tempfile::tempdir().unwrap();
    let label = format!(
        "warroom.dev/incident={}",
        incident_label("2026-11-29-catalog-p99-latency")
    );
    let cache_dir = cache.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&cfg)
            .arg("--cache-dir")
            .arg(&cache_dir)
            .args(["-n", NS, "get", "configmaps", "-l", &label, "-o", "json"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (id, e) = event_of(&list["items"][0]).unwrap();
    assert_eq!(id, "2026-11-29-catalog-p99-latency");
    assert_eq!(
        e.kind,
        EventKind::Note {
            text: "seen by kubectl".into()
        }
    );
}
