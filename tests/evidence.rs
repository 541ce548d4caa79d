//! Pinning evidence (issue 19, first part): `p` in the Metrics pane pins
//! the chart as it is, with a caption typed on the `:pin` line; the
//! timeline's entry view draws it, and the postmortem carries it.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::Harness;
use crossterm::event::KeyCode;
use warroom::app::Mode;
use warroom::domain::incident::EventKind;
use warroom::domain::incident::evidence::Pinned;

#[test]
fn p_in_the_metrics_pane_pins_the_chart_with_a_caption() {
    let mut h = Harness::at(95);
    // Nothing to pin before an incident is open.
    h.key(KeyCode::Char('4'));
    h.key(KeyCode::Char('p'));
    h.chars("too early");
    h.key(KeyCode::Enter);
    assert!(h.app.incident.is_none());
    assert!(
        h.app.flash.as_ref().is_some_and(|f| f.error),
        "{:?}",
        h.app.flash
    );

    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Enter);
    h.advance(30);
    h.key(KeyCode::Char('4'));
    h.key(KeyCode::Char('p'));
    assert!(
        matches!(h.mode, Mode::CommandLine(_)),
        "p opens the :pin line"
    );
    h.chars("p99 climbs with the 02:53 deploy");
    h.key(KeyCode::Enter);
    let open = h.app.incident.as_ref().expect("open");
    let pinned = open
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Evidence { caption, pinned } => Some((caption.clone(), pinned.clone())),
            _ => None,
        })
        .expect("the chart is in the journal");
    assert_eq!(pinned.0, "p99 climbs with the 02:53 deploy");
    let Pinned::Chart(chart) = pinned.1 else {
        panic!("a chart")
    };
    assert_eq!(Some(chart.query.clone()), h.app.metric.query);
    assert_eq!(chart.range_s, 900);
    assert!(!chart.series.is_empty());
    assert!(
        chart
            .series
            .iter()
            .all(|s| !s.points.is_empty() && s.points.len() <= 120)
    );
    assert_eq!(chart.threshold, h.app.metric.threshold);
    assert_eq!(
        chart.current,
        h.app.metric.data.as_ref().and_then(|d| d.current())
    );

    // The timeline lists it; Enter on it draws the chart's shape.
    h.key(KeyCode::Char('5'));
    let screen = h.screen(200, 50);
    assert!(screen.contains("Pinned chart: p99 climbs"), "{screen}");
    h.key(KeyCode::Enter);
    let screen = h.screen(200, 50);
    assert!(screen.contains("Chart (as pinned)"), "{screen}");
    assert!(
        screen.contains("Caption   p99 climbs with the 02:53 deploy"),
        "{screen}"
    );
    assert!(
        screen.chars().any(|c| ('▁'..='█').contains(&c)),
        "the series' shape is drawn: {screen}"
    );
}

#[test]
fn p_in_the_output_panel_pins_the_end_of_the_output() {
    use warroom::app::Msg;
    use warroom::exec::RunReport;
    let mut h = Harness::at(95);
    // As the README's screenshots: two checks done, then the rollback.
    h.key(KeyCode::Enter);
    h.advance(25);
    h.key(KeyCode::Char(' '));
    h.advance(40);
    h.key(KeyCode::Char(' '));
    h.advance(30);
    h.app.runbook.cursor = h
        .app
        .shown_runbook()
        .and_then(|rb| rb.position("rollback-release"))
        .expect("the shipped runbook has the rollback step");
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('y'));
    let id = h.app.runs.latest.as_ref().expect("running").id;
    let lines: Vec<String> = (1..=60).map(|i| format!("line {i}")).collect();
    h.send(Msg::Run(RunReport::Output { id, lines }));
    h.send(Msg::Run(RunReport::Finished {
        id,
        outcome: warroom::domain::incident::RunOutcome::Exited(0),
        duration: std::time::Duration::from_secs(41),
    }));
    assert!(matches!(h.mode, Mode::Output), "{:?}", h.mode);
    h.key(KeyCode::Char('p'));
    assert!(matches!(h.mode, Mode::CommandLine(_)));
    h.chars("rollback finished cleanly");
    h.key(KeyCode::Enter);
    let out = h
        .app
        .incident
        .as_ref()
        .expect("open")
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Evidence {
                caption,
                pinned: Pinned::Output(o),
            } => Some((caption.clone(), o.clone())),
            _ => None,
        })
        .expect("the output is in the journal");
    assert_eq!(out.0, "rollback finished cleanly");
    assert_eq!(out.1.step, "rollback-release");
    assert_eq!(out.1.lines.len(), 40);
    assert_eq!(out.1.lines.last().map(String::as_str), Some("line 60"));
    assert_eq!(out.1.omitted, 20);
    assert_eq!(out.1.outcome.as_deref(), Some("exit 0 in 41s"));
}

#[test]
fn shift_p_in_pod_details_pins_the_events_and_the_end_of_the_log() {
    let mut h = Harness::at(95);
    h.key(KeyCode::Enter);
    h.advance(10);
    h.key(KeyCode::Char('3'));
    h.key(KeyCode::Enter);
    assert!(matches!(h.mode, Mode::PodDetail), "{:?}", h.mode);
    let pod = h.app.pods.detail.as_ref().expect("details").pod.clone();
    h.key(KeyCode::Char('P'));
    assert!(matches!(h.mode, Mode::CommandLine(_)), "{:?}", h.mode);
    h.chars("OOMKilled before each restart");
    h.key(KeyCode::Enter);
    let p = h
        .app
        .incident
        .as_ref()
        .expect("open")
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Evidence {
                pinned: Pinned::Pod(p),
                ..
            } => Some(p.clone()),
            _ => None,
        })
        .expect("the pod details are in the journal");
    assert_eq!(p.pod, format!("{}/{}", pod.namespace, pod.name));
    assert!(!p.events.is_empty() || !p.log.is_empty());
    assert!(p.log.len() <= 40);
}

/// `warroom export ID -o FILE` writes each pinned chart as an SVG beside
/// the draft and links it; to standard output the draft says the picture
/// was skipped.
#[test]
fn export_writes_pinned_charts_as_svg_beside_the_draft() {
    use warroom::domain::incident::evidence::{PinnedChart, PinnedSeries};
    use warroom::domain::incident::{AlertRef, Event};
    let data = tempfile::tempdir().unwrap();
    let t = common::t0();
    let store = warroom::journal::Store::new(data.path());
    let declared = store
        .declare_or_join(&Event::new(
            t,
            "ana".into(),
            EventKind::Declared {
                id: String::new(),
                title: "catalog slow".into(),
                severity: warroom::domain::severity::Sev::P1,
                alert: AlertRef::manual("catalog slow", t),
                runbook: None,
                exercise: None,
            },
        ))
        .unwrap();
    let id = declared.id().to_string();
    let chart = PinnedChart {
        query: "histogram_quantile(0.99, x)".into(),
        range_s: 900,
        series: vec![PinnedSeries {
            name: "{service=\"catalog\"}".into(),
            points: (0..30)
                .map(|i| (t.as_second() - 600 + i * 30, 0.1 + i as f64 * 0.03))
                .collect(),
        }],
        threshold: Some(0.5),
        unit: "seconds".into(),
        current: Some(0.97),
    };
    store
        .append(
            &id,
            &Event::new(
                t + jiff::SignedDuration::from_secs(60),
                "ana".into(),
                EventKind::Evidence {
                    caption: "p99 climbs".into(),
                    pinned: Pinned::Chart(chart),
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
            .output()
            .unwrap()
    };
    let out = data.path().join("pm.md");
    let done = run(&["export", &id, "-o", out.to_str().unwrap()]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(
        md.contains("![p99 climbs — histogram_quantile(0.99, x)](pm-evidence-1.svg)"),
        "{md}"
    );
    let svg = std::fs::read_to_string(data.path().join("pm-evidence-1.svg")).unwrap();
    assert!(
        svg.starts_with("<svg ") && svg.ends_with("</svg>\n"),
        "{svg}"
    );
    assert!(
        svg.contains("threshold 500 ms") && svg.contains(">declared</text>"),
        "{svg}"
    );
    // Never recorded whole, the main metric is joined from what was pinned,
    // and drawn too.
    assert!(md.contains("### Main metric over the incident"), "{md}");
    assert!(md.contains("joined from the charts pinned"), "{md}");
    assert!(md.contains("(pm-metric.svg)"), "{md}");
    for file in ["pm-metric.svg", "pm-evidence-1.svg"] {
        let svg = std::fs::read_to_string(data.path().join(file)).unwrap();
        resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default())
            .unwrap_or_else(|e| panic!("{file} does not parse as SVG: {e}"));
    }
    let stdout = run(&["export", &id]);
    let md = String::from_utf8_lossy(&stdout.stdout);
    assert!(md.contains("picture was skipped"), "{md}");

    // Recorded (at resolution), the main metric comes from the journal
    // alone: a configured Prometheus is not asked, the same journal gives
    // the same bytes.
    let recorded = PinnedChart {
        query: "histogram_quantile(0.99, recorded)".into(),
        range_s: 1_200,
        series: vec![PinnedSeries {
            name: "{}".into(),
            points: vec![(t.as_second() - 300, 0.2), (t.as_second() + 300, 0.9)],
        }],
        threshold: Some(0.5),
        unit: "seconds".into(),
        current: Some(0.9),
    };
    store
        .append(
            &id,
            &Event::new(
                t + jiff::SignedDuration::from_secs(600),
                "ana".into(),
                EventKind::MetricWindow { chart: recorded },
            ),
        )
        .unwrap();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let prom = format!("http://{}", silent.local_addr().unwrap());
    drop(silent);
    let twice: Vec<Vec<u8>> = (0..2)
        .map(|_| {
            let done = run(&["export", &id, "--prometheus", &prom]);
            assert!(done.status.success());
            assert!(
                done.stderr.is_empty(),
                "{}",
                String::from_utf8_lossy(&done.stderr)
            );
            done.stdout
        })
        .collect();
    assert_eq!(twice[0], twice[1]);
    let md = String::from_utf8_lossy(&twice[0]);
    assert!(
        md.contains("`histogram_quantile(0.99, recorded)` over 20m, recorded in the journal at"),
        "{md}"
    );
    let json = run(&["export", &id, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["main_metric"]["chart"]["series"][0]["points"][1][1], 0.9);
}

#[test]
fn resolving_records_the_main_metric_over_the_incident_for_the_postmortem() {
    let mut h = Harness::at(95);
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Enter);
    h.advance(600);
    h.command("resolve");
    assert!(matches!(h.mode, Mode::ConfirmResolve));
    h.key(KeyCode::Char('y'));
    let inc = h.app.incident_state().unwrap().clone();
    let request = h
        .effects
        .iter()
        .find_map(|e| match e {
            warroom::app::Effect::FetchWindow(r) => Some(r.clone()),
            _ => None,
        })
        .expect("the main metric is asked for at resolution");
    // The runbook's query with the alert's labels, over the whole incident
    // and a lead before its detection, up to now.
    assert_eq!(Some(request.query.clone()), h.app.metric.query);
    assert_eq!(request.then_export, None);
    assert_eq!(request.end, h.app.now);
    assert!(request.start < inc.alert.starts_at, "{request:?}");
    // The answer is recorded though the incident is resolved: it belongs
    // to the record.
    let req = warroom::sources::MetricRequest {
        query: request.query.clone(),
        range: std::time::Duration::from_secs(
            (request.end.as_second() - request.start.as_second()) as u64,
        ),
        width: 60,
    };
    let data = h.scenario.metric(&req, request.end).unwrap();
    let chart = warroom::domain::incident::evidence::PinnedChart::of(
        &data,
        req.range.as_secs(),
        request.threshold,
        &request.unit,
    )
    .unwrap();
    assert!(chart.series[0].points.len() <= 121);
    h.send(warroom::app::Msg::WindowFetched {
        request,
        result: Ok(chart.clone()),
    });
    let events = &h.app.incident.as_ref().unwrap().events;
    assert!(matches!(
        events.last().map(|e| &e.kind),
        Some(EventKind::MetricWindow { chart: c }) if *c == chart
    ));
    // And the timeline says so.
    h.key(KeyCode::Char('5'));
    h.key(KeyCode::Char('f'));
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("Main metric recorded over the incident"),
        "{screen}"
    );
}

#[test]
fn the_demo_teammate_pins_a_chart_and_an_output_once_each() {
    let mut h = Harness::at(95);
    h.app.settings.demo = true;
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Enter);
    let by_teammate = |h: &Harness| -> Vec<Pinned> {
        h.app
            .incident
            .as_ref()
            .unwrap()
            .events
            .iter()
            .filter(|e| e.author == warroom::app::evidence::DEMO_TEAMMATE)
            .filter_map(|e| match &e.kind {
                EventKind::Evidence { pinned, .. } => Some(pinned.clone()),
                _ => None,
            })
            .collect()
    };
    h.advance(10);
    assert!(by_teammate(&h).is_empty(), "not before 20 s");
    h.advance(12);
    let pins = by_teammate(&h);
    assert!(
        matches!(pins.as_slice(), [Pinned::Chart(c)] if !c.series.is_empty()),
        "{pins:?}"
    );
    for _ in 0..30 {
        h.advance(2);
    }
    let pins = by_teammate(&h);
    assert_eq!(pins.len(), 2, "{pins:?}");
    let Pinned::Output(out) = &pins[1] else {
        panic!("{pins:?}")
    };
    assert_eq!(out.command, "kubectl -n shop get pods -l app=catalog");
    assert!(out.lines[0].starts_with("NAME"), "{:?}", out.lines);
    assert!(
        out.lines.iter().any(|l| l.contains("CrashLoopBackOff")),
        "{:?}",
        out.lines
    );
    // The postmortem of the demo incident shows both.
    let events = h.app.incident.as_ref().unwrap().events.clone();
    let md = warroom::domain::export::markdown(
        &events,
        warroom::domain::export::DEFAULT_TEMPLATE,
        &Default::default(),
    )
    .unwrap();
    assert!(
        md.contains("### p99 took off a few minutes before the page"),
        "{md}"
    );
    assert!(md.contains("### one catalog pod keeps restarting"), "{md}");
    // Not in a real incident.
    let mut real = Harness::at(95);
    real.key(KeyCode::Char('1'));
    real.key(KeyCode::Enter);
    real.advance(60);
    assert!(by_teammate(&real).is_empty());
}
