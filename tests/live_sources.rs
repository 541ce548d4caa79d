//! The Alertmanager and Prometheus clients, the polling tasks and the rendered
//! panes against real servers started on loopback, and against a misbehaving
//! server for faults (500, garbage, slow, down).
#![allow(clippy::unwrap_used, clippy::panic)]

mod servers;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use servers::{Fault, Misbehaving, post_alerts};
use tokio::sync::{mpsc, watch};
use warroom::app::{App, Msg, update};
use warroom::config::{Auth, Endpoint};
use warroom::domain::alert::AlertState;
use warroom::domain::severity::SeverityMap;
use warroom::sources::alertmanager::{Alertmanager, NewSilence};
use warroom::sources::http::Http;
use warroom::sources::live::{self, AlertFeed};
use warroom::sources::prometheus::Prometheus;
use warroom::sources::{MetricRequest, SourceMsg, runbook_files};

fn endpoint(url: &str, timeout: Duration) -> Endpoint {
    Endpoint {
        url: url.parse().unwrap(),
        auth: Auth::None,
        ca_pem: None,
        poll_interval: Duration::from_millis(200),
        timeout,
    }
}

fn am_client(url: &str) -> Alertmanager {
    Alertmanager::new(Http::new(endpoint(url, Duration::from_secs(5))).unwrap())
}

fn prom_client(url: &str) -> Prometheus {
    Prometheus::new(Http::new(endpoint(url, Duration::from_secs(5))).unwrap())
}

async fn eventually<T, F, Fut>(limit: Duration, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

const HOSTILE: &str = "disk \u{1b}]52;c;ZXZpbA==\u{7}full\u{1b}[2J\u{9b}31m \u{202e}gnp.exe";

fn disk_alert(starts: Timestamp) -> serde_json::Value {
    json!({
        "labels": {"alertname": "VolumeAlmostFull", "severity": "critical",
                   "namespace": "payments", "persistentvolumeclaim": "data-db-0"},
        "annotations": {"summary": HOSTILE,
                        "description": "PVC data-db-0 in payments is 97% full.",
                        "runbook_url": "https://runbooks.example.com/runbooks/storage/volumealmostfull"},
        "startsAt": starts.to_string(),
        "generatorURL": "http://prometheus.example.com/graph?g0.expr=kubelet_volume_stats_available_bytes+%3C+1e9&g0.tab=1"
    })
}

fn runbook_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("VolumeAlmostFull.md"),
        "---\nnamespace: \"{{ $labels.namespace }}\"\nquery: up\nthreshold: 0.5\n---\n# Volume almost full\n\n## Alert\n\nA volume is nearly full.\n\n## Check\n\n1. Look at usage: `kubectl -n {{ $labels.namespace }} get pvc {{ $labels.persistentvolumeclaim }}`\n\n## Diagnose\n\n1. Find what grew.\n\n## Mitigate\n\n1. Expand the volume.\n\n## Postmortem\n\nWrite it up.\n",
    )
    .unwrap();
    dir
}

fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| warroom::ui::draw(f, app, &warroom::app::Mode::Normal))
        .unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn alertmanager_lists_alerts_and_creates_and_expires_silences() {
    let am = servers::alertmanager();
    let started = Timestamp::now() - SignedDuration::from_mins(7);
    post_alerts(
        &am,
        &json!([disk_alert(started), {
            "labels": {"alertname": "QueueSlow", "severity": "warning"},
            "annotations": {"summary": "queue is slow"},
            "startsAt": started.to_string()
        }]),
    );
    let client = am_client(&am.url());
    let alerts = eventually(Duration::from_secs(20), "both alerts", || async {
        client.alerts().await.ok().filter(|a| a.len() == 2)
    })
    .await;
    let disk = alerts
        .iter()
        .find(|a| a.name() == "VolumeAlmostFull")
        .unwrap();
    assert_eq!(disk.state, AlertState::Firing);
    assert_eq!(
        disk.summary(),
        HOSTILE,
        "text arrives as sent; panes clean it"
    );
    assert_eq!(disk.runbook_slug().as_deref(), Some("volumealmostfull"));
    assert_eq!(
        disk.expression().as_deref(),
        Some("kubelet_volume_stats_available_bytes < 1e9")
    );
    assert_eq!(disk.starts_at.as_second(), started.as_second());

    let now = Timestamp::now();
    let id = client
        .create_silence(&NewSilence {
            labels: disk.labels.clone(),
            starts_at: now,
            ends_at: now + SignedDuration::from_hours(1),
            created_by: "alice".into(),
            comment: "warroom incident 2026-11-22-volume-almost-full".into(),
        })
        .await
        .unwrap();
    let s = client.silence(&id).await.unwrap();
    assert_eq!(s.created_by, "alice");
    assert!(s.comment.contains("2026-11-22-volume-almost-full"));
    assert_eq!(s.status.state, "active");
    let matched: BTreeMap<String, String> = s
        .matchers
        .iter()
        .map(|m| {
            assert!(!m.is_regex && m.is_equal);
            (m.name.clone(), m.value.clone())
        })
        .collect();
    assert_eq!(matched, disk.labels);

    let muted = eventually(
        Duration::from_secs(20),
        "the alert to be silenced",
        || async {
            client.alerts().await.ok().and_then(|v| {
                v.into_iter()
                    .find(|a| a.name() == "VolumeAlmostFull" && a.state == AlertState::Silenced)
            })
        },
    )
    .await;
    assert_eq!(muted.silenced_by, std::slice::from_ref(&id));

    client.expire_silence(&id).await.unwrap();
    assert_eq!(client.silence(&id).await.unwrap().status.state, "expired");
    let err = client.expire_silence("../../etc").await.unwrap_err();
    assert!(err.to_string().contains("not a silence id"), "{err}");
    let err = client
        .expire_silence("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    // Alertmanager 0.25 answers an unknown id with 500 "silence not found".
    assert!(err.to_string().contains("not found"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_prometheus_rule_alert_reaches_alertmanager_and_range_queries_work() {
    let am = servers::alertmanager();
    let prom = servers::prometheus(
        "groups:\n  - name: warroom-test\n    rules:\n      - alert: WarroomAlwaysFiring\n        expr: vector(1)\n        labels:\n          severity: warning\n          namespace: test\n        annotations:\n          summary: always firing\n          runbook_url: https://runbooks.example.com/runbooks/general/targetdown\n",
        Some(am.port),
    );
    let amc = am_client(&am.url());
    let fired = eventually(
        Duration::from_secs(40),
        "the rule's alert in Alertmanager",
        || async {
            amc.alerts()
                .await
                .ok()
                .and_then(|v| v.into_iter().find(|a| a.name() == "WarroomAlwaysFiring"))
        },
    )
    .await;
    assert_eq!(fired.label("namespace"), Some("test"));
    assert_eq!(fired.expression().as_deref(), Some("vector(1)"));
    assert_eq!(fired.runbook_slug().as_deref(), Some("targetdown"));

    // The same alert straight from Prometheus, for setups without Alertmanager.
    let pc = prom_client(&prom.url());
    let from_prom = pc.alerts().await.unwrap();
    let a = from_prom
        .iter()
        .find(|a| a.name() == "WarroomAlwaysFiring")
        .unwrap();
    assert_eq!(a.summary(), "always firing");
    assert_eq!(
        a.fingerprint,
        warroom::domain::alert::Alert::fingerprint_of(&a.labels)
    );

    // Prometheus scrapes itself, so `up` and its own counters have history.
    let data = eventually(Duration::from_secs(30), "range data for up", || async {
        pc.query_range(
            "up",
            Timestamp::now(),
            Duration::from_secs(300),
            Duration::from_secs(1),
        )
        .await
        .ok()
        .filter(|d| d.series.first().is_some_and(|s| s.points.len() >= 3))
    })
    .await;
    assert_eq!(data.series.len(), 1);
    assert!(
        data.series[0].name.contains("job=\"prometheus\""),
        "{}",
        data.series[0].name
    );
    assert_eq!(data.current(), Some(1.0));
    let steps: Vec<f64> = data.series[0]
        .points
        .windows(2)
        .map(|w| w[1].0 - w[0].0)
        .collect();
    assert!(steps.iter().all(|s| (*s - 1.0).abs() < 1e-6), "{steps:?}");

    let many = pc
        .query_range(
            "prometheus_http_requests_total",
            Timestamp::now(),
            Duration::from_secs(300),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert!(many.series.len() > 1, "several series expected");

    let err = pc
        .query_range(
            "up{",
            Timestamp::now(),
            Duration::from_secs(60),
            Duration::from_secs(1),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("HTTP 400") && err.contains("parse error"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn panes_render_what_the_real_servers_report() {
    let am = servers::alertmanager();
    let prom = servers::prometheus("groups: []\n", None);
    post_alerts(
        &am,
        &json!([disk_alert(Timestamp::now() - SignedDuration::from_mins(3))]),
    );
    let amc = am_client(&am.url());
    let pc = prom_client(&prom.url());
    let rb = runbook_dir();
    let lib = runbook_files::load(&[rb.path().to_path_buf()]);
    let mut app = App::new(
        "alice".into(),
        SeverityMap::default(),
        lib,
        Timestamp::now(),
    );
    let send = |app: &mut App, msg: Msg| {
        let fx = update(app, &mut warroom::app::Mode::Normal, msg);
        fx.into_iter().rev().find_map(|e| match e {
            warroom::app::Effect::Query(q) => q,
            _ => None,
        })
    };
    send(
        &mut app,
        Msg::ChartWidth(warroom::ui::chart_width(ratatui::layout::Rect::new(
            0, 0, 200, 50,
        ))),
    );
    let alerts = eventually(Duration::from_secs(20), "the posted alert", || async {
        amc.alerts().await.ok().filter(|a| !a.is_empty())
    })
    .await;
    let req = send(
        &mut app,
        Msg::Source(SourceMsg::Alerts {
            source: "alertmanager".into(),
            result: Ok(alerts),
        }),
    )
    .expect("the runbook's query is requested");
    assert_eq!(req.query, "up");
    let data = eventually(Duration::from_secs(30), "range data", || async {
        pc.query_range(&req.query, Timestamp::now(), req.range, req.step())
            .await
            .ok()
            .filter(|d| d.series.first().is_some_and(|s| s.points.len() >= 2))
    })
    .await;
    send(
        &mut app,
        Msg::Source(SourceMsg::Metric {
            source: "prometheus".into(),
            query: req.query.clone(),
            result: Ok(data),
        }),
    );
    for (w, h) in [(200, 50), (80, 24)] {
        send(
            &mut app,
            Msg::ChartWidth(warroom::ui::chart_width(ratatui::layout::Rect::new(
                0, 0, w, h,
            ))),
        );
        let screen = render(&app, w, h);
        assert!(screen.contains("VolumeAlmostFull"), "{screen}");
        assert!(screen.contains("alertmanager live"), "{screen}");
        assert!(
            !screen.contains('\u{1b}')
                && !screen.contains('\u{9b}')
                && !screen.contains('\u{202e}')
        );
        if w == 200 {
            assert!(screen.contains("Volume almost full"), "{screen}");
            assert!(
                screen.contains("kubectl -n payments get pvc data-db-0"),
                "{screen}"
            );
            assert!(screen.contains("prometheus live"), "{screen}");
            assert!(screen.contains("runbook: up"), "{screen}");
        }
    }
    // A silence made on the server shows as such in the pane.
    let a = app.alerts.items()[0].clone();
    let now = Timestamp::now();
    amc.create_silence(&NewSilence {
        labels: a.labels.clone(),
        starts_at: now,
        ends_at: now + SignedDuration::from_hours(1),
        created_by: "bob".into(),
        comment: "maintenance".into(),
    })
    .await
    .unwrap();
    let muted = eventually(Duration::from_secs(20), "silenced state", || async {
        amc.alerts()
            .await
            .ok()
            .filter(|v| v.iter().any(|a| a.state == AlertState::Silenced))
    })
    .await;
    send(
        &mut app,
        Msg::Source(SourceMsg::Alerts {
            source: "alertmanager".into(),
            result: Ok(muted),
        }),
    );
    let screen = render(&app, 200, 50);
    assert!(screen.contains("[silenced]"), "{screen}");
    assert!(screen.contains("1 muted"), "{screen}");
}

const ONE_ALERT: &str = r#"[{"labels":{"alertname":"Healthy","severity":"info"},"annotations":{},
  "startsAt":"2026-11-21T03:00:00Z","fingerprint":"f1","status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}]"#;

#[tokio::test(flavor = "multi_thread")]
async fn faults_become_short_reasons() {
    let bad = Misbehaving::start(ONE_ALERT, Fault::Error500);
    let quick =
        |url: &str| Alertmanager::new(Http::new(endpoint(url, Duration::from_secs(1))).unwrap());
    let c = quick(&bad.url());
    let e = c.alerts().await.unwrap_err().to_string();
    assert_eq!(e, "HTTP 500: upstream exploded");
    bad.set(Fault::Garbage);
    let e = c.alerts().await.unwrap_err().to_string();
    assert!(e.starts_with("malformed answer"), "{e}");
    bad.set(Fault::Slow);
    let t = Instant::now();
    let e = c.alerts().await.unwrap_err().to_string();
    assert_eq!(e, "no answer within 1s");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    bad.set(Fault::Healthy);
    assert_eq!(c.alerts().await.unwrap().len(), 1);

    let down = quick(&format!("http://127.0.0.1:{}", servers::free_port()));
    let e = down.alerts().await.unwrap_err().to_string();
    assert!(e.starts_with("unreachable"), "{e}");
    assert!(e.to_lowercase().contains("refused"), "{e}");
    // The address is named, so "which server?" needs no guessing.
    assert!(e.contains("http://127.0.0.1:"), "{e}");

    // Prometheus-shaped garbage on the range endpoint.
    let p = Prometheus::new(Http::new(endpoint(&bad.url(), Duration::from_secs(1))).unwrap());
    bad.set(Fault::Garbage);
    let e = p
        .query_range(
            "up",
            Timestamp::now(),
            Duration::from_secs(60),
            Duration::from_secs(1),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("malformed answer"), "{e}");
    // And on the instant-query endpoint a verify_query uses.
    let e = p.count_instant("up").await.unwrap_err();
    assert!(e.to_string().starts_with("malformed answer"), "{e}");
}

#[tokio::test]
async fn verify_queries_count_what_the_real_prometheus_returns() {
    let prom = servers::prometheus("groups: []\n", None);
    let pc = prom_client(&prom.url());
    // Prometheus scrapes itself: once `up` has a sample, a condition on it
    // returns one series while it holds and none when it does not.
    let n = eventually(Duration::from_secs(30), "a sample of up", || async {
        pc.count_instant("up{job=\"prometheus\"} == 1")
            .await
            .ok()
            .filter(|n| *n > 0)
    })
    .await;
    assert_eq!(n, 1);
    assert_eq!(
        pc.count_instant("up{job=\"prometheus\"} > 5")
            .await
            .unwrap(),
        0
    );
    assert_eq!(pc.count_instant("vector(1) + vector(1)").await.unwrap(), 1);
    assert_eq!(pc.count_instant("scalar(vector(3))").await.unwrap(), 1);
    let e = pc.count_instant("sum(rate(").await.unwrap_err().to_string();
    assert!(e.contains("parse error"), "{e}");
}

async fn next(
    rx: &mut mpsc::Receiver<SourceMsg>,
) -> Result<Vec<warroom::domain::alert::Alert>, String> {
    match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
        Ok(Some(SourceMsg::Alerts { result, .. })) => result,
        other => panic!("no alerts message: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn polling_reports_failures_and_recovers_by_itself() {
    let server = Misbehaving::start(ONE_ALERT, Fault::Slow);
    let client =
        Alertmanager::new(Http::new(endpoint(&server.url(), Duration::from_millis(500))).unwrap());
    let (tx, mut rx) = warroom::sources::channel();
    let task = tokio::spawn(live::poll_alerts(
        AlertFeed::Alertmanager(client),
        Duration::from_millis(200),
        tx,
    ));
    assert!(next(&mut rx).await.unwrap_err().contains("no answer"));
    server.set(Fault::Error500);
    let start = Instant::now();
    loop {
        match next(&mut rx).await {
            Err(e) if e.contains("HTTP 500") => break,
            _ => assert!(start.elapsed() < Duration::from_secs(10)),
        }
    }
    server.set(Fault::Healthy);
    let start = Instant::now();
    loop {
        if let Ok(v) = next(&mut rx).await {
            assert_eq!(v.len(), 1);
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "did not recover");
    }
    task.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_metric_task_follows_the_wanted_query() {
    let prom = servers::prometheus("groups: []\n", None);
    let pc = prom_client(&prom.url());
    let (want_tx, want_rx) = watch::channel(None);
    let (tx, mut rx) = warroom::sources::channel();
    let task = tokio::spawn(live::serve_metrics(
        pc,
        Duration::from_millis(300),
        want_rx,
        tx,
    ));
    let ask = |q: &str| {
        Some(MetricRequest {
            query: q.into(),
            range: Duration::from_secs(900),
            width: 80,
        })
    };
    want_tx.send_replace(ask("up"));
    let got = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let SourceMsg::Metric { query, result, .. } = got else {
        panic!()
    };
    assert_eq!(query, "up");
    assert!(result.is_ok(), "{result:?}");
    want_tx.send_replace(ask("sum(up) by (job"));
    let start = Instant::now();
    loop {
        let got = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap();
        if let SourceMsg::Metric { query, result, .. } = got
            && query.starts_with("sum")
        {
            assert!(result.unwrap_err().contains("parse error"));
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10));
    }
    task.abort();
}

/// An alert whose summary carries terminal escapes and a password becomes an
/// incident; the silence the cockpit then creates reaches the real
/// Alertmanager with a comment that is plain text, secret-free.
#[tokio::test(flavor = "multi_thread")]
async fn the_silence_comment_leaves_clean_and_secret_free() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use warroom::app::{Effect, Mode};
    use warroom::domain::incident::EventKind;
    use warroom::journal::{Declared, Opened, Position};
    let am = servers::alertmanager();
    let started = Timestamp::now() - SignedDuration::from_mins(3);
    let summary = format!("{HOSTILE} PGPASSWORD=hunter2secret");
    post_alerts(
        &am,
        &json!([{
            "labels": {"alertname": "EvilTitle", "severity": "critical"},
            "annotations": {"summary": summary},
            "startsAt": started.to_string()
        }]),
    );
    let client = am_client(&am.url());
    let alerts = eventually(Duration::from_secs(20), "the alert", || async {
        client.alerts().await.ok().filter(|a| !a.is_empty())
    })
    .await;
    let mut app = App::new(
        "mallory\u{1b}[31m".into(),
        SeverityMap::default(),
        Default::default(),
        Timestamp::now(),
    );
    let mut mode = Mode::Normal;
    let mut fx = update(
        &mut app,
        &mut mode,
        Msg::Source(SourceMsg::Alerts {
            source: "alertmanager".into(),
            result: Ok(alerts),
        }),
    );
    let key = |c| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    // Enter shows the declaration; Enter again writes it at once.
    fx.extend(update(&mut app, &mut mode, key(KeyCode::Enter)));
    fx.extend(update(&mut app, &mut mode, key(KeyCode::Enter)));
    let Some(Effect::Declare(mut declaration)) =
        fx.into_iter().find(|e| matches!(e, Effect::Declare(_)))
    else {
        panic!("no declaration")
    };
    if let EventKind::Declared { id, .. } = &mut declaration.kind {
        *id = "2026-11-29-evil-title".into();
    }
    update(
        &mut app,
        &mut mode,
        Msg::Declared(Ok(Opened {
            declared: Declared::New("2026-11-29-evil-title".into()),
            events: vec![declaration],
            warnings: Vec::new(),
            position: Position::default(),
        })),
    );
    let mut fx = update(&mut app, &mut mode, key(KeyCode::Char('S')));
    fx.extend(update(&mut app, &mut mode, key(KeyCode::Enter)));
    let Some(Effect::Silence(req)) = fx.into_iter().find(|e| matches!(e, Effect::Silence(_)))
    else {
        panic!("no silence asked for")
    };
    let ends_at = req.starts_at + SignedDuration::try_from(req.duration).unwrap();
    let id = client
        .create_silence(&NewSilence {
            labels: req.labels,
            starts_at: req.starts_at,
            ends_at,
            created_by: req.created_by,
            comment: req.comment,
        })
        .await
        .unwrap();
    let s = client.silence(&id).await.unwrap();
    for text in [&s.comment, &s.created_by] {
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert!(!text.contains('\u{202e}'), "{text:?}");
        assert!(!text.contains("hunter2secret"), "{text:?}");
    }
    assert!(s.comment.contains("2026-11-29-evil-title"), "{}", s.comment);
    assert!(s.comment.contains("PGPASSWORD=[REDACTED]"), "{}", s.comment);
}

/// A runbook step's PromQL goes to the real Prometheus through the effect
/// runner and comes back as output lines and an outcome, like a command —
/// never through a shell.
#[tokio::test(flavor = "multi_thread")]
async fn a_query_step_is_answered_by_the_real_prometheus() {
    let prom = servers::prometheus("groups: []\n", None);
    let pc = prom_client(&prom.url());
    // A sample older than the whole second the range ends at.
    eventually(Duration::from_secs(30), "a sample of up", || async {
        pc.query_range(
            "up",
            Timestamp::now(),
            Duration::from_secs(1800),
            Duration::from_secs(30),
        )
        .await
        .ok()
        .filter(|d| !d.series.is_empty())
    })
    .await;
    let data = tempfile::tempdir().unwrap();
    let (tx, mut rx) = mpsc::channel(warroom::cockpit::QUEUE);
    let (query_tx, _query_rx) = watch::channel(None);
    let (sources_tx, _sources_rx) = warroom::sources::channel();
    let mut fx = warroom::cockpit::Effects::new(
        warroom::journal::Store::new(data.path()),
        data.path().to_path_buf(),
        tx,
        query_tx,
        sources_tx,
    )
    .with_prometheus(Some(prom_client(&prom.url())));
    let mut answer = |query: &str, id: u64| {
        fx.perform(warroom::app::Effect::RunQuery {
            id,
            query: query.into(),
        });
    };
    answer("up{job=\"prometheus\"}", 1);
    let mut lines = Vec::new();
    let outcome = loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(Msg::Run(warroom::exec::RunReport::Output { lines: l, .. }))) => {
                lines.extend(l)
            }
            Ok(Some(Msg::Run(warroom::exec::RunReport::Finished { outcome, .. }))) => {
                break outcome;
            }
            other => panic!("no report: {other:?}"),
        }
    };
    assert_eq!(outcome, warroom::domain::incident::RunOutcome::Answered(1));
    assert!(lines[0].starts_with("1 series"), "{lines:?}");
    assert!(lines[1].contains("job=\"prometheus\""), "{lines:?}");
    assert!(lines[1].contains('1'), "{lines:?}");
    // A query Prometheus refuses says why.
    answer("sum(rate(", 2);
    let outcome = loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(Msg::Run(warroom::exec::RunReport::Finished { outcome, .. }))) => {
                break outcome;
            }
            Ok(Some(_)) => {}
            other => panic!("no report: {other:?}"),
        }
    };
    assert!(
        matches!(&outcome, warroom::domain::incident::RunOutcome::Refused(e) if e.contains("parse error")),
        "{outcome:?}"
    );
}

/// The Alerts pane's title follows a real Alertmanager through every state:
/// connecting, live, frozen (stale, then an error naming the address), live
/// again within seconds of thawing, killed (error), restarted (live).
#[tokio::test(flavor = "multi_thread")]
async fn the_alerts_title_tells_the_truth_as_the_server_freezes_dies_and_returns() {
    use warroom::app::state::SourceState;
    let mut am = servers::alertmanager();
    // Stale comes first (2 s without an answer), then the time limit.
    let client = Alertmanager::new(Http::new(endpoint(&am.url(), Duration::from_secs(3))).unwrap());
    let (tx, mut rx) = warroom::sources::channel();
    let every = Duration::from_millis(600);
    let mut app = App::new(
        "test".into(),
        SeverityMap::default(),
        Default::default(),
        Timestamp::now(),
    );
    let mut mode = warroom::app::Mode::Normal;
    let msg = SourceMsg::Connecting {
        feed: warroom::sources::Feed::Alerts,
        source: "alertmanager".into(),
        address: am.url(),
        every,
    };
    update(&mut app, &mut mode, Msg::Source(msg));
    assert_eq!(
        app.alerts.status.state(Timestamp::now()),
        SourceState::Connecting
    );
    let task = tokio::spawn(live::poll_alerts(
        AlertFeed::Alertmanager(client),
        every,
        tx,
    ));
    // Takes in what the poller reports until `done` says the state is
    // reached (judged at the real time now, as a frame would be).
    let mut wait_for = async |what: &str, done: &dyn Fn(&SourceState) -> bool| {
        let start = Instant::now();
        loop {
            let now = Timestamp::now();
            update(&mut app, &mut mode, Msg::Tick(now));
            let state = app.alerts.status.state(now);
            if done(&state) {
                return (state, start.elapsed());
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "never {what}: {state:?}"
            );
            if let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(50), rx.recv()).await {
                update(&mut app, &mut mode, Msg::Source(m));
            }
        }
    };
    wait_for("live", &|s| *s == SourceState::Live).await;

    am.freeze();
    let (stale, _) = wait_for("stale", &|s| matches!(s, SourceState::Stale(_))).await;
    assert!(
        matches!(stale, SourceState::Stale(n) if n >= 0),
        "{stale:?}"
    );
    let (error, _) = wait_for("an error", &|s| matches!(s, SourceState::Error(_))).await;
    let SourceState::Error(reason) = error else {
        unreachable!()
    };
    assert!(reason.contains("no answer"), "{reason}");
    assert!(
        reason.contains(&am.port.to_string()),
        "names the address: {reason}"
    );

    am.thaw();
    let (_, took) = wait_for("live again", &|s| *s == SourceState::Live).await;
    assert!(took < Duration::from_secs(8), "recovery took {took:?}");

    am.kill();
    let (error, _) = wait_for("an error", &|s| matches!(s, SourceState::Error(_))).await;
    let SourceState::Error(reason) = error else {
        unreachable!()
    };
    assert!(reason.contains(&am.port.to_string()), "{reason}");
    am.start_again();
    let (_, took) = wait_for("live after a restart", &|s| *s == SourceState::Live).await;
    assert!(took < Duration::from_secs(10), "recovery took {took:?}");
    task.abort();
}
