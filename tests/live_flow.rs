//! The live-source features driven through the reducer: filter, muted and new
//! alerts, grouping, silences, alert changes recorded in the timeline, runbook
//! choice and the chart request.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::Harness;
use crossterm::event::KeyCode;
use warroom::app::Mode;
use warroom::app::{Effect, Msg, Pane};
use warroom::domain::alert::{Alert, AlertState};
use warroom::domain::incident::EventKind;
use warroom::sources::SourceMsg;

fn alerts(h: &mut Harness, items: Vec<Alert>) {
    h.send(Msg::Source(SourceMsg::Alerts {
        source: "alertmanager".into(),
        result: Ok(items),
    }));
}

fn names(h: &Harness) -> Vec<String> {
    h.app
        .alerts
        .view()
        .iter()
        .map(|i| h.app.alerts.items()[*i].name().to_string())
        .collect()
}

fn events(h: &Harness) -> Vec<EventKind> {
    h.app
        .incident
        .as_ref()
        .map(|i| i.events.iter().map(|e| e.kind.clone()).collect())
        .unwrap_or_default()
}

#[test]
fn slash_filters_as_you_type_and_esc_clears() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Char('/'));
    assert!(matches!(h.mode, Mode::Filter(..)));
    h.chars("crash");
    assert_eq!(names(&h), ["KubePodCrashLooping"]);
    assert!(h.screen(80, 24).contains("/crash — 1 of 4"));
    h.key(KeyCode::Enter);
    assert!(matches!(h.mode, Mode::Normal));
    assert_eq!(
        h.app.alerts.selected().map(Alert::name),
        Some("KubePodCrashLooping")
    );
    // Words must all match; labels match as key=value.
    h.key(KeyCode::Char('/'));
    for _ in 0..5 {
        h.key(KeyCode::Backspace);
    }
    h.chars("severity=critical checkout");
    assert_eq!(names(&h), ["CheckoutErrorBudgetBurn"]);
    h.key(KeyCode::Esc);
    assert_eq!(names(&h).len(), 4);
    assert!(h.app.alerts.filter().is_empty());
}

#[test]
fn muted_alerts_are_marked_and_can_be_hidden_and_groups_folded() {
    let mut h = Harness::at(0);
    let mut items = h.app.alerts.items().to_vec();
    items[1].state = AlertState::Silenced;
    items[1].silenced_by = vec!["s-42".into()];
    let mut twin = items[0].clone();
    twin.fingerprint = "twin".into();
    twin.labels.insert("pod".into(), "catalog-2".into());
    items.push(twin);
    alerts(&mut h, items);
    let screen = h.screen(200, 50);
    assert!(screen.contains("[silenced]"), "{screen}");
    assert!(screen.contains("1 muted"), "{screen}");
    h.key(KeyCode::Char('H'));
    assert_eq!(names(&h).len(), 4);
    assert!(!names(&h).contains(&"CheckoutErrorBudgetBurn".to_string()));
    assert!(h.screen(200, 50).contains("1 muted hidden"));
    h.key(KeyCode::Char('H'));
    assert_eq!(names(&h).len(), 5);
    h.key(KeyCode::Char('z'));
    let screen = h.screen(200, 50);
    assert!(screen.contains("▾ CatalogP99Latency ×2"), "{screen}");
    // Grouped: the two CatalogP99Latency alerts sit together, first.
    assert_eq!(&names(&h)[..2], ["CatalogP99Latency", "CatalogP99Latency"]);
}

#[test]
fn alerts_that_arrive_later_are_new_until_looked_at() {
    let mut h = Harness::at(0);
    assert_eq!(
        h.app.alerts.new_count(),
        0,
        "the start-up set is the baseline"
    );
    h.key(KeyCode::Char('2'));
    h.advance(100); // QueueBacklogGrowing fires
    assert_eq!(h.app.alerts.new_count(), 1);
    let screen = h.screen(200, 50);
    assert!(screen.contains("1 new"), "{screen}");
    assert!(screen.contains("+ WARN  QueueBacklogGrowing"), "{screen}");
    h.key(KeyCode::Char('1'));
    assert_eq!(h.app.alerts.new_count(), 1, "focusing is not yet looking");
    h.key(KeyCode::Char('j'));
    assert_eq!(h.app.alerts.new_count(), 0);
}

#[test]
fn s_silences_the_selected_alert_and_unsilence_expires_it() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter); // declare for CatalogP99Latency
    let id = h.app.incident_state().unwrap().id.clone();
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('S'));
    let Mode::CommandLine(ta) = &h.mode else {
        panic!("S opens the command line")
    };
    assert_eq!(ta.editor.lines().join(""), "silence 1h");
    h.key(KeyCode::Backspace);
    h.key(KeyCode::Backspace);
    h.chars("30m");
    h.key(KeyCode::Enter);
    let req = h
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Silence(r) => Some(r.clone()),
            _ => None,
        })
        .expect("a silence is requested");
    let selected = h.app.alerts.selected().unwrap().clone();
    assert_eq!(req.labels, selected.labels);
    assert_eq!(req.duration, Duration::from_secs(30 * 60));
    assert_eq!(req.created_by, "alice");
    assert!(req.comment.contains(&id), "{}", req.comment);
    let created = events(&h)
        .into_iter()
        .find_map(|k| match k {
            EventKind::SilenceCreated {
                silence_id, alert, ..
            } => Some((silence_id, alert)),
            _ => None,
        })
        .expect("the silence id is in the timeline");
    assert_eq!(created.1, "CatalogP99Latency");
    h.command("unsilence");
    assert!(h.effects.contains(&Effect::Unsilence(created.0.clone())));
    assert!(events(&h).contains(&EventKind::SilenceExpired {
        silence_id: created.0
    }));
    // Server errors are shown, not swallowed.
    h.send(Msg::Silenced(Err("HTTP 400: bad matchers".into())));
    assert!(
        h.screen(80, 24)
            .contains("silence not created: HTTP 400: bad matchers")
    );
}

#[test]
fn the_incident_records_its_alert_firing_silenced_and_resolved_once() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    let mut items = h.app.alerts.items().to_vec();
    let fp = items[0].fingerprint.clone();
    items[0].state = AlertState::Silenced;
    items[0].silenced_by = vec!["s-1".into()];
    alerts(&mut h, items.clone());
    alerts(&mut h, items.clone());
    let changes = |h: &Harness| -> Vec<(String, AlertState)> {
        h.app
            .incident
            .as_ref()
            .unwrap()
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::AlertChanged { state, .. } => Some((e.author.clone(), *state)),
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        changes(&h),
        [("alertmanager".to_string(), AlertState::Silenced)]
    );
    // A failed poll says nothing about the alert.
    h.send(Msg::Source(SourceMsg::Alerts {
        source: "alertmanager".into(),
        result: Err("unreachable".into()),
    }));
    let rest: Vec<Alert> = items
        .iter()
        .filter(|a| a.fingerprint != fp)
        .cloned()
        .collect();
    alerts(&mut h, rest.clone());
    assert_eq!(changes(&h).len(), 1, "one missing poll is not a resolution");
    alerts(&mut h, rest.clone());
    alerts(&mut h, rest);
    assert_eq!(
        changes(&h),
        [
            ("alertmanager".to_string(), AlertState::Silenced),
            ("alertmanager".to_string(), AlertState::Resolved)
        ]
    );
    // It fires again.
    let mut again = items[0].clone();
    again.state = AlertState::Firing;
    alerts(&mut h, vec![again]);
    assert_eq!(changes(&h).last().map(|c| c.1), Some(AlertState::Firing));
    // The source is not counted as a responder.
    let inc = h.app.incident_state().unwrap();
    assert!(!inc.responders.contains("alertmanager"));
    assert!(
        events(&h)
            .iter()
            .any(|k| k.describe() == "Alert CatalogP99Latency silenced by s-1")
    );
    assert!(h.screen(200, 50).contains("Alert CatalogP99Latency firing"));
}

#[test]
fn runbook_command_previews_or_switches_the_checklist() {
    let mut h = Harness::at(0);
    h.command("runbook pod-crash-loop");
    assert_eq!(
        h.app.shown_runbook().map(|r| r.id.as_str()),
        Some("pod-crash-loop")
    );
    assert_eq!(h.app.focus, Pane::Runbook);
    h.command("runbook no-such-thing");
    let screen = h.screen(200, 50);
    assert!(screen.contains("no runbook 'no-such-thing'"), "{screen}");
    // Declaring uses the alert's own runbook; :runbook then switches, recorded.
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('k'));
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.shown_runbook().map(|r| r.id.as_str()),
        Some("api-latency-p99")
    );
    h.command("runbook Queue-Backlog");
    assert_eq!(
        h.app.shown_runbook().map(|r| r.id.as_str()),
        Some("queue-backlog")
    );
    assert!(events(&h).iter().any(
        |k| matches!(k, EventKind::RunbookAttached { runbook } if runbook.id == "queue-backlog")
    ));
}

#[test]
fn the_chart_follows_range_width_and_falls_back_to_the_alert_rule() {
    let mut h = Harness::at(0);
    let width = warroom::ui::chart_width(ratatui::layout::Rect::new(0, 0, 200, 50));
    h.send(Msg::ChartWidth(width));
    let first = h.app.metric.requested.clone().expect("a query");
    assert_eq!(first.range, Duration::from_secs(900));
    assert_eq!(first.width, width);
    h.key(KeyCode::Char('4'));
    h.key(KeyCode::Char('t'));
    let now = h.app.metric.requested.clone().unwrap();
    assert_eq!(now.range, Duration::from_secs(3600));
    assert_eq!(now.query, first.query);
    assert!(h.screen(80, 24).contains("Metrics · 1h"));
    h.command("range 6h");
    assert_eq!(
        h.app.metric.requested.as_ref().unwrap().range,
        Duration::from_secs(21_600)
    );
    h.command("range 2h");
    assert!(h.screen(80, 24).contains("chart ranges are 15m, 1h and 6h"));
    // An alert with no runbook charts the expression of its rule.
    let mut a = h.app.alerts.items()[0].clone();
    a.labels.insert("alertname".into(), "NoRunbookHere".into());
    a.fingerprint = "other".into();
    a.generator_url = Some("http://p/graph?g0.expr=sum%28rate%28errors_total%5B5m%5D%29%29".into());
    alerts(&mut h, vec![a]);
    assert_eq!(
        h.app.metric.query.as_deref(),
        Some("sum(rate(errors_total[5m]))")
    );
    assert!(
        h.screen(200, 50)
            .contains("alert rule: sum(rate(errors_total[5m]))")
    );
}

#[test]
fn pod_scope_comes_from_runbook_then_alert_then_commands() {
    use warroom::sources::kubernetes::PodScope;
    let mut h = Harness::at(0);
    h.send(Msg::Source(SourceMsg::Cluster {
        context: "prod".into(),
        namespace: "default".into(),
    }));
    // CatalogP99Latency's runbook names namespace and selector.
    assert_eq!(
        h.app.pod_scope(),
        PodScope {
            namespace: "shop".into(),
            selector: Some("app=catalog".into()),
            name: None
        }
    );
    assert!(h.effects.iter().any(
        |e| matches!(e, Effect::PodScope(Some(s)) if s.selector.as_deref() == Some("app=catalog"))
    ));
    // KubePodCrashLooping's runbook selector needs a label the alert lacks, so
    // the alert's own namespace and pod labels decide.
    let mut crash = h
        .app
        .alerts
        .items()
        .iter()
        .find(|a| a.name() == "KubePodCrashLooping")
        .unwrap()
        .clone();
    crash.labels.remove("deployment");
    alerts(&mut h, vec![crash]);
    let scope = h.app.pod_scope();
    assert_eq!(scope.namespace, "shop");
    assert_eq!(scope.selector, None);
    assert_eq!(scope.name.as_deref(), Some("catalog-7d9f8b6c5-x2k4q"));
    h.command("ns payments");
    assert_eq!(
        h.app.pod_scope(),
        PodScope {
            namespace: "payments".into(),
            selector: None,
            name: None
        }
    );
    h.command("selector app=ledger");
    assert_eq!(h.app.pod_scope().selector.as_deref(), Some("app=ledger"));
    assert!(
        h.effects
            .iter()
            .any(|e| matches!(e, Effect::PodScope(Some(s)) if s.namespace == "payments" && s.selector.as_deref() == Some("app=ledger")))
    );
    h.command("ns");
    h.command("selector");
    assert_eq!(h.app.pod_scope().namespace, "shop");
}

#[test]
fn pods_filter_details_and_demo_refusal() {
    let mut h = Harness::at(20);
    h.key(KeyCode::Char('3'));
    h.key(KeyCode::Char('/'));
    h.chars("crash");
    let names: Vec<String> = h
        .app
        .visible_pods()
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(names, ["catalog-7d9f8b6c5-x2k4q"]);
    h.key(KeyCode::Enter);
    let screen = h.screen(80, 24);
    assert!(screen.contains("/crash"), "{screen}");
    // Enter opens the details with events and the log.
    h.key(KeyCode::Enter);
    assert!(matches!(h.mode, Mode::PodDetail));
    let screen = h.screen(200, 50);
    assert!(screen.contains("BackOff"), "{screen}");
    assert!(screen.contains("GET /api/products"), "{screen}");
    h.key(KeyCode::Char('p'));
    assert!(
        h.screen(200, 50)
            .contains("FATAL cannot start without the database")
    );
    h.key(KeyCode::Esc);
    assert!(h.effects.contains(&Effect::ClosePodDetails));
    // The demo has no cluster: changes are refused in plain words.
    h.key(KeyCode::Char('d'));
    assert!(
        h.screen(200, 50)
            .contains("no Kubernetes cluster is configured")
    );
}

#[test]
fn cluster_changes_are_recorded_in_the_timeline_with_their_result() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter); // declare
    h.send(Msg::Source(SourceMsg::Cluster {
        context: "prod".into(),
        namespace: "shop".into(),
    }));
    h.key(KeyCode::Char('3'));
    h.key(KeyCode::Char('d'));
    assert!(matches!(h.mode, Mode::ClusterConfirm(_)));
    h.key(KeyCode::Char('y'));
    let recorded: Vec<(bool, String)> = events(&h)
        .into_iter()
        .filter_map(|k| match k {
            EventKind::ClusterAction { ok, action, .. } => Some((ok, action)),
            _ => None,
        })
        .collect();
    assert_eq!(recorded.len(), 1);
    assert!(
        recorded[0].0 && recorded[0].1.starts_with("delete pod shop/"),
        "{recorded:?}"
    );
    // A refusal is recorded too, and shown.
    h.send(Msg::ClusterDone {
        action: "scale Deployment shop/catalog to 6 replicas".into(),
        result: Err("forbidden by RBAC: cannot patch".into()),
    });
    assert!(events(&h).iter().any(|k| matches!(k, EventKind::ClusterAction { ok: false, outcome, .. } if outcome.contains("RBAC"))));
    assert!(h.screen(200, 50).contains("refused: forbidden by RBAC"));
}

#[test]
fn stale_runbooks_carry_a_banner_unless_an_incident_used_them_lately() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Char('2'));
    assert!(
        !h.screen(80, 24).contains("STALE"),
        "api-latency-p99 was exercised lately"
    );
    h.command("runbook queue-backlog");
    let screen = h.screen(80, 24);
    assert!(screen.contains("STALE — last exercised"), "{screen}");
    h.app.runbooks.history.used.insert(
        "queue-backlog".into(),
        h.app.now - jiff::SignedDuration::from_hours(24),
    );
    assert!(!h.screen(80, 24).contains("STALE"));
}

#[test]
fn set_based_selectors_show_the_pods_they_select() {
    let mut h = Harness::at(20);
    h.key(KeyCode::Char('3'));
    let apps = |h: &Harness| -> std::collections::BTreeSet<String> {
        h.app
            .visible_pods()
            .iter()
            .map(|p| p.labels["app"].clone())
            .collect()
    };
    h.command("selector app in (catalog,checkout)");
    assert_eq!(
        apps(&h).into_iter().collect::<Vec<_>>(),
        ["catalog", "checkout"]
    );
    h.command("selector app notin (catalog)");
    let others = apps(&h);
    assert!(
        others.contains("checkout") && !others.contains("catalog"),
        "{others:?}"
    );
    h.command("selector app in (catalog");
    let flash = h.app.flash.as_ref().expect("message");
    assert!(flash.error && flash.text.contains("unclosed"), "{flash:?}");
    assert_eq!(
        h.app.pod_scope().selector.as_deref(),
        Some("app notin (catalog)"),
        "a bad selector changes nothing"
    );
}

/// Label values that are not Kubernetes syntax never reach the API server as
/// a namespace, a selector or a pod name; `:ns` refuses one typed by hand.
#[test]
fn hostile_labels_never_become_a_pod_scope() {
    let mut h = Harness::at(0);
    h.send(Msg::Source(SourceMsg::Cluster {
        context: "prod".into(),
        namespace: "default".into(),
    }));
    let mut crash = h
        .app
        .alerts
        .items()
        .iter()
        .find(|a| a.name() == "KubePodCrashLooping")
        .unwrap()
        .clone();
    crash.labels.remove("deployment");
    crash
        .labels
        .insert("namespace".into(), "shop;rm -rf /".into());
    crash.labels.insert("pod".into(), "x$(touch y)".into());
    alerts(&mut h, vec![crash]);
    let scope = h.app.pod_scope();
    assert_eq!(scope.namespace, "default", "{scope:?}");
    assert_eq!(scope.name, None);
    h.command("ns bad_ns!");
    let flash = h.app.flash.as_ref().expect("message");
    assert!(
        flash.error && flash.text.contains("not a namespace"),
        "{flash:?}"
    );
    assert_eq!(h.app.pod_scope().namespace, "default");
}
