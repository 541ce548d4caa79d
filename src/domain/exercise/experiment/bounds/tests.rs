use std::path::Path;
use std::time::Duration;

use super::*;
use crate::domain::exercise::experiment::BlastRadius;

pub(super) const POD_CHAOS: &str = "\
apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata:
  name: kill-one
  namespace: shop
spec:
  action: pod-kill
  mode: one
  duration: 30s
  selector:
    labelSelectors:
      app: checkout
";

pub(super) const NETWORK_CHAOS: &str = "\
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata:
  name: delay
  namespace: shop
spec:
  action: delay
  mode: one
  duration: 30s
  selector:
    labelSelectors:
      app: checkout
  direction: to
  target:
    mode: all
    selector:
      labelSelectors:
        app: payments
  delay:
    latency: 800ms
";

/// An experiment bounded to `selector` in `shop`, at most `max_pods` pods
/// for 1 minute, watched for 2, faulting with `manifest`.
pub(super) fn experiment(max_pods: u32, selector: &str, manifest: &str) -> Experiment {
    let yaml: serde_yaml::Value = serde_yaml::from_str(manifest).expect("manifest yaml");
    Experiment {
        name: "drill".into(),
        hypothesis: "h".into(),
        runbook: "r".into(),
        blast_radius: BlastRadius {
            namespace: "shop".into(),
            selector: selector.into(),
            max_pods,
            max_duration: Duration::from_secs(60),
            contexts: vec!["demo".into(), "prod-eu".into()],
        },
        allow_production: false,
        manifest: serde_json::to_value(yaml).expect("json"),
        abort: "a".into(),
        steady_state: "s".into(),
        window: Duration::from_secs(120),
        poll: Duration::from_secs(5),
        source: "drill.yaml".into(),
    }
}

/// The check labelled `label`.
pub(super) fn check_of(e: &Experiment, matching: Option<usize>, label: &str) -> Check {
    let found = e
        .check_bounds(matching)
        .into_iter()
        .find(|c| c.label == label);
    assert!(found.is_some(), "no {label} check");
    found.expect("checked above")
}

pub(super) fn refused(e: &Experiment, matching: Option<usize>, label: &str, says: &str) {
    let c = check_of(e, matching, label);
    assert!(!c.ok, "{label} passed: {}", c.detail);
    assert!(
        c.detail.contains(says),
        "{label}: '{}' lacks '{says}'",
        c.detail
    );
}

pub(super) fn passes(e: &Experiment, matching: Option<usize>, label: &str) {
    let c = check_of(e, matching, label);
    assert!(c.ok, "{label} refused: {}", c.detail);
}

#[test]
fn the_shipped_experiments_parse_and_pass_their_bounds() {
    for (name, text) in [
        (
            "checkout-pod-kill.yaml",
            include_str!("../../../../../runbooks/experiments/checkout-pod-kill.yaml"),
        ),
        (
            "checkout-network-delay.yaml",
            include_str!("../../../../../runbooks/experiments/checkout-network-delay.yaml"),
        ),
    ] {
        let path = Path::new("runbooks/experiments").join(name);
        let parsed = Experiment::parse(text, &path);
        let why = parsed
            .as_ref()
            .err()
            .map(|p| crate::domain::exercise::report(&path, p));
        assert!(parsed.is_ok(), "{}", why.unwrap_or_default());
        let e = parsed.expect("parsed");
        for c in e.check_bounds(Some(3)) {
            assert!(c.ok, "{name}: {}: {}", c.label, c.detail);
        }
        assert!(e.fault_duration().is_some_and(|d| d <= e.window));
        assert_eq!(
            e.check_context("kind-warroom", &[]),
            ContextVerdict::Allowed
        );
    }
}

#[test]
fn a_bounded_fault_passes_every_check() {
    let e = experiment(1, "app=checkout", POD_CHAOS);
    let checks = e.check_bounds(None);
    let labels: Vec<&str> = checks.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Fault kind",
            "Name",
            "Namespace",
            "Selector",
            "Pod count",
            "Duration"
        ]
    );
    assert!(checks.iter().all(|c| c.ok), "{checks:#?}");
    assert_eq!(
        check_of(&e, None, "Pod count").detail,
        "mode one: at most 1 pod (max_pods 1)"
    );
    refused(&e, Some(0), "Matching pods", "no pod");
    passes(&e, Some(2), "Matching pods");
}

#[test]
fn mode_all_is_refused_with_max_pods_one_even_when_one_pod_matches() {
    let all = POD_CHAOS.replace("mode: one", "mode: all");
    let e = experiment(1, "app=checkout", &all);
    refused(&e, Some(1), "Pod count", "replica added");
    // Refused even with no count to go by (lint, with no cluster).
    refused(&e, None, "Pod count", "replica added");
    let e = experiment(3, "app=checkout", &all);
    passes(&e, Some(3), "Pod count");
    refused(&e, Some(4), "Pod count", "4 pods, more than max_pods 3");
    refused(
        &e,
        None,
        "Pod count",
        "cannot count the pods the selector matches",
    );
}

#[test]
fn fixed_counts_its_value() {
    let fixed = |v: &str| POD_CHAOS.replace("mode: one", &format!("mode: fixed\n  value: {v}"));
    refused(
        &experiment(1, "app=checkout", &fixed("\"2\"")),
        Some(5),
        "Pod count",
        "2 pods, more than max_pods 1",
    );
    refused(
        &experiment(1, "app=checkout", &fixed("2")),
        None,
        "Pod count",
        "more than max_pods 1",
    );
    passes(
        &experiment(2, "app=checkout", &fixed("\"2\"")),
        None,
        "Pod count",
    );
    for bad in ["\"0\"", "\"-1\"", "\"1.5\"", "\"+1\"", "two"] {
        refused(
            &experiment(2, "app=checkout", &fixed(bad)),
            None,
            "Pod count",
            "whole number",
        );
    }
    let no_value = POD_CHAOS.replace("mode: one", "mode: fixed");
    refused(
        &experiment(2, "app=checkout", &no_value),
        None,
        "Pod count",
        "value is missing",
    );
}

#[test]
fn percentages_need_the_matching_count_and_round_up() {
    let pct = |mode: &str, v: &str| {
        POD_CHAOS.replace("mode: one", &format!("mode: {mode}\n  value: \"{v}\""))
    };
    for mode in ["fixed-percent", "random-max-percent"] {
        refused(
            &experiment(1, "app=checkout", &pct(mode, "50")),
            None,
            "Pod count",
            "cannot count the pods",
        );
        refused(
            &experiment(1, "app=checkout", &pct(mode, "50")),
            Some(3),
            "Pod count",
            "2 pods",
        );
        passes(
            &experiment(1, "app=checkout", &pct(mode, "30")),
            Some(3),
            "Pod count",
        );
        refused(
            &experiment(9, "app=checkout", &pct(mode, "101")),
            Some(3),
            "Pod count",
            "from 1 to 100",
        );
    }
}

#[test]
fn a_missing_or_unknown_mode_is_refused() {
    let e = experiment(1, "app=checkout", &POD_CHAOS.replace("  mode: one\n", ""));
    refused(&e, Some(1), "Pod count", "spec.mode is missing");
    let e = experiment(
        1,
        "app=checkout",
        &POD_CHAOS.replace("mode: one", "mode: some"),
    );
    refused(&e, Some(1), "Pod count", "not one of");
}

#[test]
fn the_duration_must_end_the_fault_inside_the_bounds() {
    let with = |d: &str| experiment(1, "app=checkout", &POD_CHAOS.replace("duration: 30s", d));
    refused(&with(""), None, "Duration", "spec.duration is missing");
    refused(
        &with("duration: 3m"),
        None,
        "Duration",
        "longer than the window 2m",
    );
    let mut long_window = with("duration: 90s");
    long_window.window = Duration::from_secs(600);
    refused(
        &long_window,
        None,
        "Duration",
        "longer than max_duration 1m",
    );
    refused(&with("duration: soon"), None, "Duration", "not a duration");
    refused(&with("duration: 1d"), None, "Duration", "not a duration");
    refused(&with("duration: 0s"), None, "Duration", "zero");
    refused(&with("duration: 30"), None, "Duration", "must be text");
    refused(
        &with("duration: 45s\n  scheduler:\n    cron: \"@every 1m\""),
        None,
        "Duration",
        "schedule",
    );
    passes(&with("duration: 1m"), None, "Duration");
    let mut e = with("duration: 1m30s");
    e.blast_radius.max_duration = Duration::from_secs(90);
    passes(&e, None, "Duration");
    assert_eq!(e.fault_duration(), Some(Duration::from_secs(90)));
}

#[test]
fn go_durations_read_as_chaos_mesh_reads_them() {
    let ms = |t: &str| go_duration(t).map(|d| d.as_millis());
    assert_eq!(ms("30s"), Ok(30_000));
    assert_eq!(ms("5m"), Ok(300_000));
    assert_eq!(ms("1h"), Ok(3_600_000));
    assert_eq!(ms("90s"), Ok(90_000));
    assert_eq!(ms("1m30s"), Ok(90_000));
    assert_eq!(ms("1.5h"), Ok(5_400_000));
    assert_eq!(ms(".5s"), Ok(500));
    assert_eq!(ms("800ms"), Ok(800));
    assert_eq!(ms("1h2m3s4ms"), Ok(3_723_004));
    assert_eq!(go_duration("1500us"), Ok(Duration::from_micros(1500)));
    assert_eq!(go_duration("2\u{b5}s"), Ok(Duration::from_micros(2)));
    for bad in [
        "",
        "0",
        "0s",
        "-1s",
        "+1s",
        "1",
        "s",
        "1x",
        " 1s",
        "1s ",
        "1d",
        "1w",
        ".s",
        "1..5s",
        "99999999999999999999h",
        "1e3s",
    ] {
        assert!(go_duration(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn the_namespace_must_be_written_and_match() {
    let e = experiment(
        1,
        "app=checkout",
        &POD_CHAOS.replace("namespace: shop", "namespace: billing"),
    );
    refused(
        &e,
        None,
        "Namespace",
        "'billing' is not the blast radius namespace 'shop'",
    );
    let e = experiment(
        1,
        "app=checkout",
        &POD_CHAOS.replace("  namespace: shop\n", ""),
    );
    refused(&e, None, "Namespace", "missing");
    passes(&experiment(1, "app=checkout", POD_CHAOS), None, "Namespace");
}

#[test]
fn the_fault_needs_a_fixed_valid_name() {
    let e = experiment(
        1,
        "app=checkout",
        &POD_CHAOS.replace("name: kill-one", "name: Kill_One"),
    );
    refused(&e, None, "Name", "not a valid");
    let e = experiment(
        1,
        "app=checkout",
        &POD_CHAOS.replace("name: kill-one", "generateName: kill-"),
    );
    refused(&e, None, "Name", "generateName");
    assert_eq!(e.fault_name(), None);
    let e = experiment(
        1,
        "app=checkout",
        &POD_CHAOS.replace("  name: kill-one\n", ""),
    );
    refused(&e, None, "Name", "missing");
}

#[test]
fn only_checkable_chaos_kinds_are_accepted() {
    for kind in [
        "Schedule",
        "Workflow",
        "Deployment",
        "IOChaos",
        "PhysicalMachineChaos",
    ] {
        let e = experiment(
            1,
            "app=checkout",
            &POD_CHAOS.replace("kind: PodChaos", &format!("kind: {kind}")),
        );
        refused(
            &e,
            None,
            "Fault kind",
            &format!("warroom cannot check the blast radius of a fault of kind {kind}"),
        );
        assert_eq!(e.fault_kind(), kind);
    }
    for kind in KINDS {
        let e = experiment(
            1,
            "app=checkout",
            &POD_CHAOS.replace("kind: PodChaos", &format!("kind: {kind}")),
        );
        passes(&e, None, "Fault kind");
    }
    let e = experiment(
        1,
        "app=checkout",
        &POD_CHAOS.replace("chaos-mesh.org/v1alpha1", "apps/v1"),
    );
    refused(
        &e,
        None,
        "Fault kind",
        "apiVersion must be chaos-mesh.org/v1alpha1",
    );
    let e = experiment(
        1,
        "app=checkout",
        &POD_CHAOS.replace("kind: PodChaos\n", ""),
    );
    refused(&e, None, "Fault kind", "no kind");
    assert_eq!(e.fault_kind(), "");
}

#[test]
fn contexts_must_be_listed_and_production_needs_consent() {
    let mut e = experiment(1, "app=checkout", POD_CHAOS);
    let prod = vec!["prod-eu".to_string()];
    assert_eq!(e.check_context("demo", &prod), ContextVerdict::Allowed);
    assert_eq!(e.check_context("staging", &prod), ContextVerdict::NotListed);
    assert_eq!(
        e.check_context("prod-us", &["prod-us".to_string()]),
        ContextVerdict::NotListed
    );
    assert_eq!(
        e.check_context("prod-eu", &prod),
        ContextVerdict::RefusedProduction
    );
    assert!(e.check_context("prod-eu", &prod).refused());
    e.allow_production = true;
    let v = e.check_context("prod-eu", &prod);
    assert_eq!(
        v,
        ContextVerdict::Production {
            needs_typed: "prod-eu".into()
        }
    );
    assert!(!v.refused());
    assert_eq!(e.check_context("demo", &prod), ContextVerdict::Allowed);
    assert_eq!(e.check_context("", &prod), ContextVerdict::NotListed);
}
