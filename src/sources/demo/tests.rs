use super::*;

fn scenario() -> Scenario {
    Scenario::new("2026-11-21T03:00:00Z".parse().expect("ts"))
}

fn at(s: &Scenario, secs: i64) -> Timestamp {
    s.at(secs)
}

#[test]
fn alerts_fire_and_resolve_over_time() {
    let s = scenario();
    let names = |t| {
        s.alerts(at(&s, t))
            .iter()
            .map(|a| a.name().to_string())
            .collect::<Vec<_>>()
    };
    let start = names(0);
    assert_eq!(start.len(), 4, "{start:?}");
    assert!(names(100).contains(&"QueueBacklogGrowing".to_string()));
    assert!(names(200).contains(&"KubeDeploymentReplicasMismatch".to_string()));
    assert!(!names(500).contains(&"CheckoutErrorBudgetBurn".to_string()));
    assert_eq!(names(1000), ["CertificateExpiringSoon"]);
    let sevs: std::collections::BTreeSet<_> = s
        .alerts(at(&s, 0))
        .iter()
        .filter_map(|a| a.severity_label().map(str::to_string))
        .collect();
    assert_eq!(sevs.len(), 3, "several severities at start: {sevs:?}");
}

#[test]
fn the_story_repeats() {
    let s = scenario();
    assert_eq!(s.episode(at(&s, 100)).t0, s.t0);
    let later = s.episode(at(&s, PERIOD_SECS + 100));
    assert_eq!(later.t0, at(&s, PERIOD_SECS));
    assert_eq!(
        later.alerts(at(&s, PERIOD_SECS + 100)).len(),
        s.alerts(at(&s, 100)).len()
    );
}

#[test]
fn fingerprints_are_stable_and_distinct() {
    let s = scenario();
    let a = s.alerts(at(&s, 0));
    let b = s.alerts(at(&s, 30));
    assert_eq!(a[0].fingerprint, b[0].fingerprint);
    assert_ne!(a[0].fingerprint, a[1].fingerprint);
}

#[test]
fn a_pod_crash_loops_then_recovers() {
    let s = scenario();
    let pod = |t| {
        s.pods(at(&s, t))
            .into_iter()
            .find(|p| p.name == "catalog-7d9f8b6c5-x2k4q")
            .expect("pod")
    };
    assert_eq!(pod(20).status, "CrashLoopBackOff");
    assert!(pod(300).restarts > pod(20).restarts);
    assert!(!pod(20).is_healthy());
    assert!(pod(700).is_healthy());
}

#[test]
fn latency_crosses_its_threshold_and_unknown_queries_are_refused() {
    let s = scenario();
    let q =
        "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))";
    let req = |q: &str, range: u64| MetricRequest {
        query: q.into(),
        range: Duration::from_secs(range),
        width: 60,
    };
    let m = s.metric(&req(q, 900), at(&s, 0)).expect("data");
    let first = m.series[0].points[0].1;
    let now = m.current().expect("value");
    assert!(first < 0.5 && now > 0.5, "{first} -> {now}");
    // 15 minutes at a step of 8 s (120 samples across 60 cells).
    assert_eq!(m.series[0].points.len(), 113);
    let wide = s.metric(&req(q, 21_600), at(&s, 0)).expect("data");
    let span = wide.series[0]
        .points
        .last()
        .map(|p| p.0)
        .unwrap_or_default()
        - wide.series[0].points[0].0;
    assert!(span >= 21_000.0, "{span}");
    assert!(s.metric(&req("up", 900), at(&s, 0)).is_err());
}
