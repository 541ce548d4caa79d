//! Whole-frame snapshots at 80x24 (compact) and 200x50 (wide) for every screen
//! of the core loop, plus cell-level checks that text snapshots cannot make.

mod common;

use common::Harness;
use crossterm::event::KeyCode;
use ratatui::style::Color;

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

fn snap(name: &str, h: &Harness) {
    for (w, ht) in SIZES {
        let t = h.render(w, ht);
        insta::assert_snapshot!(format!("{name}_{w}x{ht}"), t.backend());
    }
}

fn with_incident() -> Harness {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    h.advance(20);
    h.key(KeyCode::Char(' '));
    h.advance(15);
    h.key(KeyCode::Char(' '));
    h.advance(30);
    h
}

#[test]
fn launch() {
    snap("launch", &Harness::at(0));
}

#[test]
fn incident_open_with_runbook() {
    snap("incident", &with_incident());
}

#[test]
fn note_editor() {
    let mut h = with_incident();
    h.key(KeyCode::Char('n'));
    h.chars("p99 back under 400ms after rollback");
    snap("note_editor", &h);
}

#[test]
fn help_overlay() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Char('?'));
    snap("help", &h);
}

#[test]
fn each_pane_in_compact_layout() {
    let mut h = with_incident();
    h.command("note catalog rollback started");
    for (n, name) in [('3', "pods"), ('4', "metrics"), ('5', "timeline")] {
        h.key(KeyCode::Char(n));
        let t = h.render(80, 24);
        insta::assert_snapshot!(format!("pane_{name}_80x24"), t.backend());
    }
}

#[test]
fn quit_confirmation_while_open() {
    let mut h = with_incident();
    h.key(KeyCode::Char('q'));
    let t = h.render(80, 24);
    insta::assert_snapshot!("confirm_quit_80x24", t.backend());
}

#[test]
fn severity_colours_and_missing_placeholders_are_styled() {
    let h = Harness::at(0);
    let t = h.render(200, 50);
    let buf = t.backend().buffer();
    // The first alert row is critical: its severity cell is red.
    let (x, y) = find(buf, "CRIT").expect("CRIT on screen");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    let (x, y) = find(buf, "INFO").expect("INFO on screen");
    assert_eq!(buf[(x, y)].fg, Color::Blue);
}

fn find(buf: &ratatui::buffer::Buffer, needle: &str) -> Option<(u16, u16)> {
    let area = buf.area;
    for y in 0..area.height {
        let row: String = (0..area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if let Some(i) = row.find(needle) {
            let col = row[..i].chars().count() as u16;
            return Some((col, y));
        }
    }
    None
}

/// Live-source states: muted and new alerts, groups, a filter, a failing source
/// with older data on screen.
fn live_states() -> Harness {
    use warroom::app::Msg;
    use warroom::domain::alert::AlertState;
    use warroom::sources::SourceMsg;
    let mut h = Harness::at(0);
    let mut items = h.app.alerts.items().to_vec();
    items[1].state = AlertState::Silenced;
    items[1].silenced_by = vec!["6f1c2a9e-1111-4c3b-9d1e-0a0b0c0d0e0f".into()];
    items[3].state = AlertState::Inhibited;
    items[3].inhibited_by = vec![items[0].fingerprint.clone()];
    h.send(Msg::Source(SourceMsg::Alerts {
        source: "alertmanager".into(),
        result: Ok(items.clone()),
    }));
    h.key(KeyCode::Char('z'));
    // A second CatalogP99Latency arrives after the user last looked: new.
    let mut twin = items[0].clone();
    twin.fingerprint = "twin".into();
    twin.labels
        .insert("pod".into(), "catalog-7d9f8b6c5-m8w2n".into());
    items.push(twin);
    h.send(Msg::Source(SourceMsg::Alerts {
        source: "alertmanager".into(),
        result: Ok(items),
    }));
    h.send(Msg::Source(SourceMsg::Alerts {
        source: "alertmanager".into(),
        result: Err("unreachable: Connection refused".into()),
    }));
    h
}

#[test]
fn alerts_pane_live_states() {
    let h = live_states();
    snap("alerts_live", &h);
}

#[test]
fn alerts_pane_filtered() {
    let mut h = live_states();
    h.key(KeyCode::Char('/'));
    h.chars("catalog");
    snap("alerts_filtered", &h);
}

#[test]
fn runbook_pane_without_a_matching_runbook() {
    use warroom::app::Msg;
    use warroom::sources::SourceMsg;
    let mut h = Harness::at(0);
    let mut a = h.app.alerts.items()[0].clone();
    a.labels.insert("alertname".into(), "TargetDown".into());
    a.fingerprint = "target-down".into();
    a.annotations.insert(
        "runbook_url".into(),
        "https://runbooks.example.com/runbooks/general/targetdown".into(),
    );
    h.send(Msg::Source(SourceMsg::Alerts {
        source: "alertmanager".into(),
        result: Ok(vec![a]),
    }));
    h.key(KeyCode::Char('2'));
    snap("runbook_no_match", &h);
}

#[test]
fn metrics_pane_with_several_series_and_a_failing_source() {
    use warroom::app::Msg;
    use warroom::domain::metric::{MetricData, Series};
    use warroom::sources::SourceMsg;
    let mut h = Harness::at(0);
    h.key(KeyCode::Char('4'));
    let query = h.app.metric.query.clone().expect("a query");
    let end = h.now().as_second() as f64;
    let series = (0..7)
        .map(|i| Series {
            name: format!("http_request_duration_seconds{{pod=\"catalog-{i}\"}}"),
            points: (0..=60)
                .map(|k| {
                    let t = end - 900.0 + f64::from(k) * 15.0;
                    (t, 0.1 * f64::from(i) + 0.01 * f64::from(k))
                })
                .collect(),
        })
        .collect();
    h.send(Msg::Source(SourceMsg::Metric {
        source: "prometheus".into(),
        query: query.clone(),
        result: Ok(MetricData {
            query: query.clone(),
            series,
        }),
    }));
    snap("metrics_series", &h);
    h.send(Msg::Source(SourceMsg::Metric {
        source: "prometheus".into(),
        query,
        result: Err("no answer within 5s".into()),
    }));
    snap("metrics_failing", &h);
}

/// The Pods pane with a cluster: kubectl-style statuses, restarts with the
/// time of the last one, a filter, and the details and confirmation overlays.
fn with_cluster() -> Harness {
    use warroom::app::Msg;
    use warroom::domain::pod::Pod;
    use warroom::sources::SourceMsg;
    let mut h = Harness::at(0);
    h.send(Msg::Source(SourceMsg::Cluster {
        context: "prod-eu".into(),
        namespace: "shop".into(),
    }));
    let now = h.now();
    let mut pods = h.scenario.pods(now);
    let mut extra = |name: &str, status: &str, ready: u32, restarts: u32, ago: i64| {
        let mut p: Pod = pods[0].clone();
        p.name = name.into();
        p.status = status.into();
        p.ready = ready;
        p.restarts = restarts;
        p.last_restart = (restarts > 0).then(|| now - jiff::SignedDuration::from_secs(ago));
        p.last_exit = (restarts > 0).then(|| "OOMKilled, exit 137".to_string());
        pods.push(p);
    };
    extra("catalog-7d9f8b6c5-oom01", "OOMKilled", 0, 4, 90);
    extra("catalog-7d9f8b6c5-init1", "Init:0/2", 0, 0, 0);
    extra("catalog-7d9f8b6c5-img01", "ImagePullBackOff", 0, 0, 0);
    extra("catalog-7d9f8b6c5-term1", "Terminating", 1, 0, 0);
    h.send(Msg::Source(SourceMsg::Pods {
        source: "kubernetes".into(),
        result: Ok(pods),
    }));
    h.key(KeyCode::Char('3'));
    h
}

#[test]
fn pods_pane_with_a_cluster() {
    snap("pods_cluster", &with_cluster());
}

#[test]
fn pod_details_overlay() {
    let mut h = with_cluster();
    h.key(KeyCode::Enter);
    snap("pod_details", &h);
}

#[test]
fn cluster_change_confirmation() {
    let mut h = with_cluster();
    h.command("scale 6");
    // The API's answer to how many replicas there are now: `3 → 6`.
    let asked = h.effects.iter().rev().find_map(|e| match e {
        warroom::app::Effect::ReplicasNow {
            namespace,
            workload,
        } => Some((namespace.clone(), workload.clone())),
        _ => None,
    });
    let (namespace, workload) = asked.expect("the current count is asked");
    h.send(warroom::app::Msg::ReplicasNow {
        namespace,
        workload,
        result: Ok(3),
    });
    let t = h.render(80, 24);
    insta::assert_snapshot!("confirm_scale_80x24", t.backend());
}

fn commanded() -> Harness {
    let mut h = with_incident();
    h.app.settings.oncall =
        serde_yaml::from_str("primary: alice\nsecondary: bob\n").expect("on-call yaml");
    h.command("role ic alice");
    h.command("role comms carol");
    h.command("action add a p99 alert for checkout owner=bob due=2026-12-01 ticket=OPS-42");
    h.command("action write a load test");
    h.advance(60 * 11);
    h
}

#[test]
fn incident_panel() {
    let mut h = commanded();
    h.key(KeyCode::Char('i'));
    snap("incident_panel", &h);
}

#[test]
fn status_update_editor() {
    let mut h = commanded();
    h.key(KeyCode::Char('u'));
    snap("status_update", &h);
}

#[test]
fn command_line_with_completion_candidates() {
    let mut h = with_incident();
    h.key(KeyCode::Char(':'));
    h.chars("runbook ");
    // Lists them; then the first, then the second on the line.
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    snap("command_completion", &h);
}
