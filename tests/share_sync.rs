//! Two and three "hosts" (separate data dirs) sharing one incident through
//! the test API server (issue 20): each host's journal stays its durable
//! record; events reach the other host within a second both ways; with the
//! server killed both keep writing, say how many events wait, and converge
//! when it is back (nothing lost, nothing twice, identical exports); a
//! third host with an empty data dir catches up; RBAC refusals keep the
//! incident local and say so.
#![allow(clippy::unwrap_used, clippy::panic)]

mod kube_server;
mod share_host;

use std::time::{Duration, Instant};

use jiff::Timestamp;
use kube_server::KubeServer;
use share_host::*;
use warroom::domain::incident::{Event, EventKind, new_id};
use warroom::share::sync::ShareStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_cross_both_ways_within_a_second() {
    let server = KubeServer::start().await;
    let (mut a, mut b) = (Host::new("ana"), Host::new("bob"));
    let id = declared_on(&server, &mut a).await;
    join(&server, &mut b, &id).await;
    let note = a.note(&id, "rolling back the deploy");
    let start = Instant::now();
    eventually(Duration::from_secs(1), "ana's note at bob's", || {
        b.ids(&id).contains(&note.id)
    })
    .await;
    let note = b.note(&id, "pods are healthy again");
    eventually(Duration::from_secs(1), "bob's note at ana's", || {
        a.ids(&id).contains(&note.id)
    })
    .await;
    eprintln!("both ways in {:?}", start.elapsed());
    assert_eq!(a.ids(&id), b.ids(&id));
    eventually(Duration::from_secs(2), "live", || {
        a.last_status() == Some(ShareStatus::Live) && b.last_status() == Some(ShareStatus::Live)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_and_both_hosts_converge() {
    let server = KubeServer::start().await;
    let (mut a, mut b) = (Host::new("ana"), Host::new("bob"));
    let id = declared_on(&server, &mut a).await;
    join(&server, &mut b, &id).await;
    a.note(&id, "before");
    eventually(Duration::from_secs(2), "first note shared", || {
        a.ids(&id) == b.ids(&id)
    })
    .await;
    server.kill();
    for i in 0..3 {
        a.note(&id, &format!("ana offline {i}"));
        b.note(&id, &format!("bob offline {i}"));
    }
    eventually(Duration::from_secs(5), "offline with 3 waiting", || {
        matches!(
            a.last_status(),
            Some(ShareStatus::Offline { waiting: 3, .. })
        ) && matches!(
            b.last_status(),
            Some(ShareStatus::Offline { waiting: 3, .. })
        )
    })
    .await;
    assert_eq!(
        a.last_status().unwrap().text(),
        "share: offline, 3 events waiting"
    );
    server.restart().await;
    eventually(Duration::from_secs(15), "converged", || {
        let (x, y) = (a.ids(&id), b.ids(&id));
        x == y && a.written(&id) == 8
    })
    .await;
    // Nothing twice: every line of each journal is a different event.
    assert_eq!(a.lines(&id), a.ids(&id).len());
    assert_eq!(b.lines(&id), b.ids(&id).len());
    assert_eq!(b.written(&id), 8);
    assert_eq!(a.export(&id), b.export(&id));
    // A third host with an empty data dir catches up on all of it.
    let mut c = Host::new("cy");
    join(&server, &mut c, &id).await;
    eventually(Duration::from_secs(5), "the third host caught up", || {
        c.ids(&id) == a.ids(&id)
    })
    .await;
    assert_eq!(c.export(&id), a.export(&id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rbac_keeps_the_incident_local_and_read_only_publishes_nothing() {
    let server = KubeServer::start().await;
    server.deny(NS, "create");
    let mut a = Host::new("ana");
    let id = declared_on(&server, &mut a).await;
    a.note(&id, "still recorded here");
    eventually(Duration::from_secs(5), "forbidden said", || {
        matches!(a.last_status(), Some(ShareStatus::Forbidden(_)))
    })
    .await;
    assert_eq!(a.written(&id), 2, "the journal keeps everything");
    // A read-only host follows and publishes nothing.
    let server = KubeServer::start().await;
    let mut b = Host::new("bob");
    let id = declared_here(&b);
    b.share(&server, &id, false).await;
    b.note(&id, "not for the cluster");
    eventually(Duration::from_secs(2), "following said", || {
        b.last_status() == Some(ShareStatus::Following)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        server.requests().iter().all(|r| !r.starts_with("POST ")),
        "{:?}",
        server.requests()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hosts_declaring_the_same_alert_end_in_one_incident() {
    let server = KubeServer::start().await;
    let (a, b) = (Host::new("ana"), Host::new("bob"));
    let (ca, cb) = (client(&server).await, client(&server).await);
    // Both press Enter on the same alert at once.
    let (da, db) = (declaration(), declaration());
    let (ra, rb) = tokio::join!(
        warroom::share::declare::declare(&ca, &a.store, da, true),
        warroom::share::declare::declare(&cb, &b.store, db, true),
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.declared.id(), rb.declared.id(), "one incident");
    let new = [&ra, &rb]
        .iter()
        .filter(|o| matches!(o.declared, warroom::journal::Declared::New(_)))
        .count();
    assert_eq!(new, 1, "one host declared, the other joined");
    // Each host has exactly that one journal.
    let id = ra.declared.id().to_string();
    for h in [&a, &b] {
        let (incidents, _) = h.store.list().unwrap();
        let ids: Vec<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, [id.as_str()], "{}", h.name);
    }
    // A later host declaring it joins too, bringing it from the cluster.
    let c = Host::new("cy");
    let cc = client(&server).await;
    let rc = warroom::share::declare::declare(&cc, &c.store, declaration(), true)
        .await
        .unwrap();
    assert_eq!(rc.declared, warroom::journal::Declared::Joined(id.clone()));
    // A read-only host writes no claim of its own.
    let server = KubeServer::start().await;
    let d = Host::new("dee");
    let cd = client(&server).await;
    warroom::share::declare::declare(&cd, &d.store, declaration(), false)
        .await
        .unwrap();
    assert!(server.requests().iter().all(|r| !r.starts_with("POST ")));
}

/// `warroom ARGS` against the test server's kubeconfig and `data`.
fn warroom(
    server: &KubeServer,
    data: &std::path::Path,
    args: &[&str],
    stdin: &str,
) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .arg("--kubeconfig")
        .arg(&server.kubeconfig)
        .args(args)
        .env("WARROOM_DATA_DIR", data)
        .env("XDG_CONFIG_HOME", data.join("xdg"))
        .env_remove("WARROOM_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_export_and_prune_work_from_a_host_that_never_had_the_incident() {
    let server = KubeServer::start().await;
    let mut a = Host::new("ana");
    let id = declared_on(&server, &mut a).await;
    a.note(&id, "rolled back");
    let mut resolved = Event::new(Timestamp::now(), "ana".into(), EventKind::Resolved);
    resolved.id = new_id();
    a.store.append(&id, &resolved).unwrap();
    a.sharing.as_ref().unwrap().local(vec![resolved.clone()]);
    let c = client(&server).await;
    eventually(
        Duration::from_secs(5),
        "the resolution in the cluster",
        || in_cluster(&c, &id).iter().any(|e| e.id == resolved.id),
    )
    .await;
    let elsewhere = tempfile::tempdir().unwrap();
    let (srv, dir) = (&server, elsewhere.path().to_path_buf());
    let out =
        tokio::task::block_in_place(|| warroom(srv, &dir, &["list", "--share", "--json"], ""));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["id"], id.as_str());
    assert_eq!(rows[0]["status"], "resolved");
    // The export from the cluster is the export on the host that wrote it.
    let shared =
        tokio::task::block_in_place(|| warroom(srv, &dir, &["export", &id, "--share"], ""));
    assert!(
        shared.status.success(),
        "{}",
        String::from_utf8_lossy(&shared.stderr)
    );
    let local = tokio::task::block_in_place(|| {
        warroom(srv, a.store.dir().parent().unwrap(), &["export", &id], "")
    });
    assert_eq!(
        String::from_utf8_lossy(&shared.stdout),
        String::from_utf8_lossy(&local.stdout)
    );
    // Nothing on this host was written by either.
    assert!(!dir.join("incidents").exists());
    // Prune asks, and "n" deletes nothing; --yes deletes the incident's objects.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let before = server.state.lock().unwrap().configmaps.len();
    let no = tokio::task::block_in_place(|| {
        warroom(srv, &dir, &["share", "prune", "--older-than", "1s"], "n\n")
    });
    let said = String::from_utf8_lossy(&no.stdout);
    assert!(said.contains("nothing deleted"), "{said}");
    assert_eq!(server.state.lock().unwrap().configmaps.len(), before);
    let yes = tokio::task::block_in_place(|| {
        warroom(
            srv,
            &dir,
            &["share", "prune", "--older-than", "1s", "--yes"],
            "",
        )
    });
    assert!(
        yes.status.success(),
        "{}",
        String::from_utf8_lossy(&yes.stderr)
    );
    assert_eq!(server.state.lock().unwrap().configmaps.len(), 0);
}

#[test]
fn the_alerts_pane_marks_an_alert_whose_incident_another_host_declared() {
    use warroom::app::{App, Mode, Msg, update};
    use warroom::domain::alert::Alert;
    let now: Timestamp = "2026-11-29T03:10:00Z".parse().unwrap();
    let mut app = App::new("ana".into(), Default::default(), Default::default(), now);
    let mut mode = Mode::Normal;
    let alert = |name: &str, fp: &str| Alert {
        fingerprint: fp.into(),
        labels: [("alertname".to_string(), name.to_string())].into(),
        starts_at: now - jiff::SignedDuration::from_secs(300),
        ..Alert::default()
    };
    app.alerts.set_items(vec![
        alert("CatalogP99Latency", "fp1"),
        alert("DiskFull", "fp2"),
    ]);
    let claim = warroom::share::objects::Claim {
        incident: "2026-11-29-catalog-p99-latency".into(),
        host: "laptop-2".into(),
        author: "bob".into(),
        declaration: None,
        fingerprint: "fp1".into(),
        day: "2026-11-29".into(),
    };
    // Yesterday's claim of the other alert is not today's incident.
    let old = warroom::share::objects::Claim {
        fingerprint: "fp2".into(),
        day: "2026-11-27".into(),
        ..claim.clone()
    };
    let _ = update(&mut app, &mut mode, Msg::Claims(vec![claim, old]));
    // The Alerts pane filling the screen, so its rows are whole.
    let _ = update(
        &mut app,
        &mut mode,
        Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('f'),
            crossterm::event::KeyModifiers::NONE,
        )),
    );
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
    t.draw(|f| warroom::ui::draw(f, &app, &mode)).unwrap();
    let buf = t.backend().buffer();
    let screen: String = (0..30)
        .map(|y| (0..120).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect();
    let row = |name: &str| {
        screen
            .lines()
            .find(|l| l.contains(name))
            .unwrap()
            .to_string()
    };
    assert!(
        row("CatalogP99").contains("bob on laptop-2 (Enter joins)"),
        "{screen}"
    );
    assert!(!row("DiskFull").contains("on laptop-2"), "{screen}");
}
