//! Hosts converge on one record even where they cannot see the same
//! things (issue 20): command output kept on the host that ran it leaves
//! every host's export alike, and two hosts that each declared the same
//! alert while the API server was away end with one incident when it is
//! back, holding both hosts' entries once.
#![allow(clippy::unwrap_used, clippy::panic)]

mod kube_server;
mod share_host;

use std::time::Duration;

use kube_server::KubeServer;
use share_host::*;
use warroom::domain::incident::{Event, EventKind, Status, new_id};
use warroom::share::sync::ShareStatus;

const OUTPUT: &str = "NAME READY STATUS\ncatalog-7d9 1/1 Running\ncatalog-8f2 0/1 CrashLoopBackOff";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_match_when_command_output_stays_on_the_host_that_ran_it() {
    let server = KubeServer::start().await;
    let (mut a, mut b) = (Host::new("ana"), Host::new("bob"));
    let id = declared_on(&server, &mut a).await;
    join(&server, &mut b, &id).await;
    let ran = a.command(&id, OUTPUT);
    eventually(Duration::from_secs(2), "the command at bob's", || {
        b.ids(&id).contains(&ran.id) && a.ids(&id) == b.ids(&id)
    })
    .await;
    // Ana's journal keeps the output; what bob received has none.
    let output_at = |h: &Host| {
        h.store
            .load(&id)
            .unwrap()
            .events
            .into_iter()
            .find(|e| e.id == ran.id)
            .map(|e| match e.kind {
                EventKind::CommandFinished { output, .. } => output,
                _ => String::new(),
            })
            .unwrap()
    };
    assert_eq!(output_at(&a), OUTPUT);
    assert_eq!(output_at(&b), "");
    let (ea, eb) = (a.export(&id), b.export(&id));
    assert_eq!(ea, eb, "the same export on both hosts");
    assert!(
        ea.contains("its output (3 lines) stays on host"),
        "said where the output is:\n{ea}"
    );
    assert!(!ea.contains("CrashLoopBackOff"), "{ea}");
    assert!(
        ea.contains("keeping command output on the host that ran it"),
        "the timeline says sharing kept output: {ea}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_carry_the_output_when_it_is_shared() {
    let server = KubeServer::start().await;
    let (mut a, mut b) = (Host::new("ana"), Host::new("bob"));
    let id = declared_here(&a);
    a.share_with(&server, &id, true, true).await;
    let c = client(&server).await;
    eventually(Duration::from_secs(5), "the declaration published", || {
        declaration_in_cluster(&c, &id).is_some()
    })
    .await;
    b.store
        .adopt(&id, &declaration_in_cluster(&c, &id).unwrap())
        .unwrap();
    b.share_with(&server, &id, true, true).await;
    let ran = a.command(&id, OUTPUT);
    eventually(Duration::from_secs(2), "the command at bob's", || {
        b.ids(&id).contains(&ran.id) && a.ids(&id) == b.ids(&id)
    })
    .await;
    let (ea, eb) = (a.export(&id), b.export(&id));
    assert_eq!(ea, eb);
    assert!(ea.contains("catalog-8f2 0/1 CrashLoopBackOff"), "{ea}");
}

/// Declares the test alert on `h` as a new incident of its own (as a
/// cockpit does when the claim cannot be asked for), under the alert name
/// given (the incident's id comes from it).
fn declare_alone(h: &Host, alert_name: &str) -> String {
    let mut d: Event = declaration();
    if let EventKind::Declared { alert, .. } = &mut d.kind {
        alert.name = alert_name.into();
    }
    d.id = new_id();
    h.store.open(&d).unwrap().declared.id().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hosts_that_declared_the_same_alert_offline_converge() {
    let server = KubeServer::start().await;
    server.kill();
    let (mut a, mut b) = (Host::new("ana"), Host::new("bob"));
    let x = declare_alone(&a, "CatalogP99Latency");
    // Bob declares a moment later, on his own.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let y = declare_alone(&b, "CatalogP99Latency");
    assert_eq!(x, y, "the same alert on the same day: the same id");
    a.share(&server, &x, true).await;
    b.share(&server, &x, true).await;
    let from_ana = a.note(&x, "ana: rolled back catalog");
    let from_bob = b.note(&x, "bob: paged the database team");
    eventually(Duration::from_secs(5), "both offline", || {
        [&a, &b].iter().all(|h| {
            matches!(h.last_status(), Some(ShareStatus::Offline { waiting, .. }) if waiting >= 2)
        })
    })
    .await;
    server.restart().await;
    eventually(
        Duration::from_secs(15),
        "both hosts hold everything",
        || {
            let (m, s) = (a.ids(&x), b.ids(&x));
            m == s && m.contains(&from_ana.id) && m.contains(&from_bob.id)
        },
    )
    .await;
    // Both start from the earlier declaration: the same incident, the
    // same bytes.
    assert_eq!(a.incident(&x).declared.by, "ana");
    assert_eq!(b.incident(&x).declared.by, "ana");
    assert_eq!(a.export(&x), b.export(&x));
    assert!(
        a.export(&x).contains("before the hosts met"),
        "{}",
        a.export(&x)
    );
    for h in [&a, &b] {
        assert_eq!(h.lines(&x), h.ids(&x).len(), "nothing twice");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_incidents_declared_offline_for_one_alert_merge_into_one() {
    let server = KubeServer::start().await;
    server.kill();
    let (mut a, mut b) = (Host::new("ana"), Host::new("bob"));
    // One alert (one fingerprint) that the hosts' Alertmanagers named
    // differently: two incident ids for one claim.
    let (x, y) = (
        declare_alone(&a, "CatalogP99Latency"),
        declare_alone(&b, "CatalogLatencyHigh"),
    );
    assert_ne!(x, y, "two incidents, one per host");
    a.share(&server, &x, true).await;
    b.share(&server, &y, true).await;
    let from_ana = a.note(&x, "ana: rolled back catalog");
    let from_bob = b.note(&y, "bob: paged the database team");
    eventually(Duration::from_secs(5), "both offline", || {
        [&a, &b].iter().all(|h| {
            matches!(h.last_status(), Some(ShareStatus::Offline { waiting, .. }) if waiting >= 2)
        })
    })
    .await;
    server.restart().await;
    // One host's claim is created; the other's incident merges into it.
    let mut merged = None;
    eventually(Duration::from_secs(15), "one host merged", || {
        merged = [(&a, &x), (&b, &y)]
            .iter()
            .find_map(|(h, own)| match h.last_status() {
                Some(ShareStatus::Merged { into, entries }) => {
                    Some((own.to_string(), into, entries))
                }
                _ => None,
            });
        merged.is_some()
    })
    .await;
    let (gone, kept, entries) = merged.unwrap();
    assert_eq!(
        entries, 1,
        "the note moved (sharing starts after the claim)"
    );
    // The merging host goes on in the claimed incident, as its cockpit does.
    let (mover, stayer) = if gone == x {
        (&mut a, &b)
    } else {
        (&mut b, &a)
    };
    assert_eq!(kept, if gone == x { y.clone() } else { x.clone() });
    mover.share(&server, &kept, true).await;
    let mover = &*mover;
    eventually(
        Duration::from_secs(10),
        "both hosts hold both notes",
        || {
            let (m, s) = (mover.ids(&kept), stayer.ids(&kept));
            m == s && m.contains(&from_ana.id) && m.contains(&from_bob.id)
        },
    )
    .await;
    for h in [mover, stayer] {
        assert_eq!(h.lines(&kept), h.ids(&kept).len(), "nothing twice");
    }
    assert_eq!(mover.export(&kept), stayer.export(&kept));
    assert!(
        mover
            .export(&kept)
            .contains(&format!("Merged: incident {gone}"))
    );
    // The incident that moved is over on its host, and says where it went.
    let old = mover.incident(&gone);
    assert_eq!(old.status, Status::Resolved);
    assert_eq!(old.merged_into.as_deref(), Some(kept.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_as_large_as_an_event_may_be_reaches_the_other_host_whole() {
    let server = KubeServer::start().await;
    let (mut a, mut b) = (Host::new("ana"), Host::new("bob"));
    let id = declared_on(&server, &mut a).await;
    join(&server, &mut b, &id).await;
    // A pasted log of nearly 1 MiB, quotes and all: more than one object
    // holds (a ConfigMap's data may hold 1 MiB, keys included).
    let big = a.note(&id, &"log \"line\" ✓\n".repeat(55_000));
    eventually(Duration::from_secs(5), "the large note at bob's", || {
        b.ids(&id).contains(&big.id)
    })
    .await;
    assert_eq!(b.export(&id), a.export(&id));
    let parts = server
        .state
        .lock()
        .unwrap()
        .configmaps
        .values()
        .filter(|o| o["metadata"]["annotations"]["warroom.dev/event-id"] == big.id.as_str())
        .count();
    assert_eq!(parts, 2, "published in two parts");
    assert!(
        matches!(a.last_status(), Some(ShareStatus::Live)),
        "{:?}",
        a.last_status()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_refused_by_rbac_go_once_the_role_is_granted() {
    let server = KubeServer::start().await;
    let (mut a, mut b) = (Host::new("ana"), Host::new("bob"));
    let id = declared_on(&server, &mut a).await;
    join(&server, &mut b, &id).await;
    eventually(Duration::from_secs(5), "both live", || {
        [&a, &b]
            .iter()
            .all(|h| h.last_status() == Some(ShareStatus::Live))
    })
    .await;
    // RBAC is tightened mid-incident: ana keeps writing, locally.
    server.deny(NS, "create");
    let during = a.note(&id, "written while RBAC refused");
    eventually(Duration::from_secs(5), "the refusal said", || {
        matches!(a.last_status(), Some(ShareStatus::Forbidden(_)))
    })
    .await;
    assert!(a.ids(&id).contains(&during.id), "kept locally");
    assert!(!b.ids(&id).contains(&during.id));
    // The Role is granted again: the waiting note goes without a restart.
    server.allow_again();
    eventually(Duration::from_secs(15), "the note at bob's", || {
        b.ids(&id).contains(&during.id)
    })
    .await;
    eventually(Duration::from_secs(5), "live again", || {
        a.last_status() == Some(ShareStatus::Live)
    })
    .await;
    assert_eq!(a.export(&id), b.export(&id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_api_server_holds_no_declaration_and_the_events_go_when_it_thaws() {
    let server = KubeServer::start().await;
    let mut a = Host::new("ana");
    server.freeze();
    // Declaring asks for the claim first: a server that never answers is
    // given up on within seconds, and the incident is declared here.
    let started = std::time::Instant::now();
    let opened =
        warroom::share::declare::declare(&client(&server).await, &a.store, declaration(), true)
            .await
            .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "declared after {:?}",
        started.elapsed()
    );
    let id = opened.declared.id().to_string();
    a.share(&server, &id, true).await;
    let note = a.note(&id, "written while the server was frozen");
    eventually(Duration::from_secs(12), "offline said", || {
        matches!(a.last_status(), Some(ShareStatus::Offline { .. }))
    })
    .await;
    server.thaw();
    let c = client(&server).await;
    eventually(Duration::from_secs(15), "the note in the cluster", || {
        declaration_in_cluster(&c, &id).is_some() && a.last_status() == Some(ShareStatus::Live)
    })
    .await;
    let mut b = Host::new("bob");
    join(&server, &mut b, &id).await;
    eventually(Duration::from_secs(5), "bob caught up", || {
        b.ids(&id).contains(&note.id)
    })
    .await;
    // Frozen again with nothing to publish: the silent watch is not taken
    // for a live one (the task asks every 10 s, answers within 5 s).
    server.freeze();
    eventually(Duration::from_secs(20), "offline said while idle", || {
        a.last_status()
            .is_some_and(|s| s.text() == "share: offline (no answer)")
    })
    .await;
    server.thaw();
    eventually(Duration::from_secs(15), "live again", || {
        a.last_status() == Some(ShareStatus::Live)
    })
    .await;
}

#[test]
fn the_cockpit_goes_on_in_the_incident_its_own_was_merged_into() {
    use warroom::app::{App, Effect, Mode, Msg, update};
    let now: jiff::Timestamp = "2026-11-29T03:10:00Z".parse().unwrap();
    let mut app = App::new("ana".into(), Default::default(), Default::default(), now);
    let mut mode = Mode::Normal;
    let fx = update(
        &mut app,
        &mut mode,
        Msg::Share(ShareStatus::Merged {
            into: "2026-11-29-catalog-latency-high".into(),
            entries: 3,
        }),
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Rejoin(id) if id == "2026-11-29-catalog-latency-high")),
        "{fx:?}"
    );
    let said = app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(said.contains("3 entries moved there"), "{said}");
    // An event the cluster refused is said in full once, then counted.
    let refused = |n| {
        Msg::Share(ShareStatus::Partial {
            refused: n,
            why: "ConfigMap is invalid".into(),
        })
    };
    app.flash = None;
    let _ = update(&mut app, &mut mode, refused(1));
    let said = app.flash.take().map(|f| f.text).unwrap_or_default();
    assert!(said.contains("ConfigMap is invalid"), "{said}");
    let _ = update(&mut app, &mut mode, refused(1));
    assert!(app.flash.is_none(), "said once");
    assert_eq!(
        ShareStatus::Partial {
            refused: 2,
            why: String::new()
        }
        .text(),
        "share: live, 2 events refused by the cluster (kept here)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_that_lost_the_shared_copy_is_given_it_back() {
    let server = KubeServer::start().await;
    let (mut a, mut b) = (Host::new("ana"), Host::new("bob"));
    let id = declared_on(&server, &mut a).await;
    join(&server, &mut b, &id).await;
    let before = a.note(&id, "before the cluster was rebuilt");
    eventually(Duration::from_secs(5), "shared", || {
        b.ids(&id).contains(&before.id)
    })
    .await;
    // The cluster comes back empty: the hosts' watches list again.
    server.kill();
    server.lose_configmaps();
    server.restart().await;
    let after = b.note(&id, "after the rebuild");
    let c = client(&server).await;
    eventually(Duration::from_secs(30), "the copy given back", || {
        declaration_in_cluster(&c, &id).is_some() && a.ids(&id).contains(&after.id)
    })
    .await;
    // A third host from an empty data dir gets the whole incident, claim
    // included (it joins rather than declaring a second one).
    let mut d = Host::new("cy");
    join(&server, &mut d, &id).await;
    eventually(Duration::from_secs(5), "the third host caught up", || {
        let ids = d.ids(&id);
        ids.contains(&before.id) && ids.contains(&after.id) && d.written(&id) == a.written(&id)
    })
    .await;
    assert_eq!(d.export(&id), a.export(&id));
    let claim = c
        .list("app.kubernetes.io/managed-by=warroom,warroom.dev/object=claim")
        .await
        .unwrap()
        .0;
    assert_eq!(claim.len(), 1, "the claim was written again");
    // Lost again, with no relist to tell: the idle tasks' probe finds the
    // cluster empty of what they published, and publishes it again.
    server.lose_configmaps_quietly();
    eventually(
        Duration::from_secs(30),
        "given back without a relist",
        || declaration_in_cluster(&c, &id).is_some(),
    )
    .await;
}
