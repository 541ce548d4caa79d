//! The incident's main metric against a real Prometheus: a tiny exporter
//! serves a latency gauge that the test raises mid-incident. The cockpit's
//! effect runner fetches the metric over the incident's window (what is
//! recorded at resolution); `warroom export` fetches it when the journal
//! holds no record; the chart drawn from it is an SVG a renderer reads,
//! with the rise where Prometheus has it.
#![allow(clippy::unwrap_used, clippy::panic)]

mod servers;

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use servers::{Exporter, eventually, http, prometheus_scraping};
use tokio::sync::{mpsc, watch};
use warroom::app::msg::WindowRequest;
use warroom::app::{Effect, Msg};
use warroom::cockpit::Effects;
use warroom::config::{Auth, Endpoint};
use warroom::domain::incident::evidence::{Pinned, PinnedChart, PinnedSeries};
use warroom::domain::incident::{AlertRef, Event, EventKind};
use warroom::journal::Store;
use warroom::sources::http::Http;
use warroom::sources::prometheus::Prometheus;

const METRIC: &str = "catalog_p99_seconds";

fn values(chart: &PinnedChart) -> Vec<f64> {
    chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .collect()
}

#[test]
fn the_main_metric_comes_from_prometheus_over_the_incident_window() {
    let exporter = Exporter::start(METRIC, 0.2);
    let prom = prometheus_scraping("groups: []\n", None, &[exporter.port]);
    let has = |v: &str| {
        let (code, body) = http(
            "GET",
            prom.port,
            &format!("/api/v1/query?query={METRIC}"),
            None,
        );
        (code == 200 && body.contains(&format!("\"{v}\""))).then_some(())
    };
    eventually(Duration::from_secs(30), "the low value scraped", || {
        has("0.2")
    });
    let declared_at = Timestamp::now();
    std::thread::sleep(Duration::from_secs(3));
    exporter.set(1.5);
    eventually(Duration::from_secs(20), "the rise scraped", || has("1.5"));
    std::thread::sleep(Duration::from_secs(2));

    // A journal that never recorded its main metric; its pinned chart says
    // which query it is.
    let data = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    let id = store
        .declare_or_join(&Event::new(
            declared_at,
            "ana".into(),
            EventKind::Declared {
                id: String::new(),
                title: "catalog slow".into(),
                severity: warroom::domain::severity::Sev::P1,
                alert: AlertRef::manual("catalog slow", declared_at),
                runbook: None,
                exercise: None,
            },
        ))
        .unwrap()
        .id()
        .to_string();
    let pinned = PinnedChart {
        query: METRIC.into(),
        range_s: 900,
        series: vec![PinnedSeries {
            name: "pinned".into(),
            points: vec![(declared_at.as_second(), 0.2)],
        }],
        threshold: Some(1.0),
        unit: "seconds".into(),
        current: Some(0.2),
    };
    store
        .append(
            &id,
            &Event::new(
                declared_at + SignedDuration::from_secs(1),
                "ana".into(),
                EventKind::Evidence {
                    caption: "p99".into(),
                    pinned: Pinned::Chart(pinned),
                },
            ),
        )
        .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
            .args(args)
            .env("WARROOM_DATA_DIR", data.path())
            .env("XDG_CONFIG_HOME", data.path().join("xdg"))
            .env_remove("WARROOM_CONFIG")
            .env_remove("WARROOM_PROMETHEUS_URL")
            .output()
            .unwrap()
    };
    let url = prom.url();
    let json = run(&["export", &id, "--format", "json", "--prometheus", &url]);
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let main = &v["main_metric"];
    assert!(
        main["source"]
            .as_str()
            .unwrap()
            .contains("fetched from Prometheus"),
        "{main}"
    );
    let chart: PinnedChart = serde_json::from_value(main["chart"].clone()).unwrap();
    let got = values(&chart);
    assert!(got.contains(&0.2) && got.contains(&1.5), "{got:?}");
    // The rise is where Prometheus has it: after the declaration.
    let risen = chart.series[0]
        .points
        .iter()
        .find(|p| p.1 == 1.5)
        .map(|p| p.0)
        .unwrap();
    assert!(risen > declared_at.as_second(), "{risen} vs {declared_at}");

    // Written beside the draft, the chart is an SVG a renderer draws, with
    // the series' colour on it.
    let out = data.path().join("pm.md");
    let md = run(&[
        "export",
        &id,
        "-o",
        out.to_str().unwrap(),
        "--prometheus",
        &url,
    ]);
    assert!(
        md.status.success(),
        "{}",
        String::from_utf8_lossy(&md.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("(pm-metric.svg)"), "{text}");
    let svg = std::fs::read_to_string(data.path().join("pm-metric.svg")).unwrap();
    let tree = resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default()).unwrap();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(800, 320).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    let blue = pixmap
        .pixels()
        .iter()
        .filter(|p| p.blue() > 200 && p.red() < 80 && p.green() < 140)
        .count();
    assert!(blue > 100, "{blue} pixels of the series' colour");

    // The cockpit's effect runner asks the same Prometheus (what it records
    // at resolution and on :export).
    let rt = tokio::runtime::Runtime::new().unwrap();
    let got = rt.block_on(async {
        let (tx, mut rx) = mpsc::channel(warroom::cockpit::QUEUE);
        let (query_tx, _query_rx) = watch::channel(None);
        let (src_tx, _src_rx) = warroom::sources::channel();
        let client = Prometheus::new(
            Http::new(Endpoint {
                url: url.parse().unwrap(),
                auth: Auth::None,
                ca_pem: None,
                poll_interval: Duration::from_millis(200),
                timeout: Duration::from_secs(5),
            })
            .unwrap(),
        );
        let mut fx = Effects::new(
            store.clone(),
            data.path().to_path_buf(),
            tx,
            query_tx,
            src_tx,
        )
        .with_prometheus(Some(client));
        let request = WindowRequest {
            incident: id.clone(),
            query: METRIC.into(),
            start: declared_at - SignedDuration::from_secs(300),
            end: Timestamp::now(),
            threshold: Some(1.0),
            unit: "seconds".into(),
            then_export: None,
        };
        fx.perform(Effect::FetchWindow(request.clone()));
        let answer = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap();
        let Some(Msg::WindowFetched { result, .. }) = answer else {
            panic!("{answer:?}")
        };
        // A query Prometheus refuses comes back as an error, not a chart.
        let mut bad = request;
        bad.query = "this is not promql(".into();
        fx.perform(Effect::FetchWindow(bad));
        let answer = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap();
        let Some(Msg::WindowFetched { result: failed, .. }) = answer else {
            panic!("{answer:?}")
        };
        assert!(failed.is_err(), "{failed:?}");
        result.unwrap()
    });
    let vals = values(&got);
    assert!(vals.contains(&0.2) && vals.contains(&1.5), "{vals:?}");
    assert_eq!(got.threshold, Some(1.0));
    assert!(got.series[0].points.len() <= 120);
}
