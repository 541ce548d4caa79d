//! Links and arguments as pages and teammates paste them.

use super::*;
use crate::domain::alert::AlertState;

fn args(s: &[&str]) -> Vec<String> {
    s.iter().map(|a| a.to_string()).collect()
}

fn query(s: &[&str]) -> AlertQuery {
    match parse(&args(s)) {
        Ok(Target::Alerts(q)) => q,
        other => panic!("{s:?}: {other:?}"),
    }
}

fn alert(labels: &[(&str, &str)], state: AlertState) -> Alert {
    Alert {
        fingerprint: "0123456789abcdef".into(),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        annotations: Default::default(),
        starts_at: jiff::Timestamp::UNIX_EPOCH,
        state,
        silenced_by: Vec::new(),
        inhibited_by: Vec::new(),
        generator_url: None,
    }
}

#[test]
fn alertmanager_links_of_both_ui_generations_encoded_or_not() {
    let want = "{alertname=\"CatalogP99Latency\",namespace=\"shop\"}";
    for link in [
        // The classic UI, as copied from the address bar (encoded).
        "http://alertmanager:9093/#/alerts?silenced=false&inhibited=false&active=true&filter=%7Balertname%3D%22CatalogP99Latency%22%2Cnamespace%3D%22shop%22%7D",
        // The same pasted by hand, not encoded.
        "https://alertmanager.example.com/#/alerts?filter={alertname=\"CatalogP99Latency\",namespace=\"shop\"}",
        // Spaces after commas, a receiver.
        "https://am.example.com/#/alerts?receiver=team-storefront&filter=%7Balertname%3D%22CatalogP99Latency%22%2C%20namespace%3D%22shop%22%7D",
        // The newer UI keeps its state in the query string.
        "https://am.example.com/alerts?filter=%7Balertname%3D%22CatalogP99Latency%22%2Cnamespace%3D%22shop%22%7D",
    ] {
        let q = query(&[link]);
        assert!(q.to_string().starts_with(want), "{link}: {q}");
    }
    let q = query(&[
        "http://am:9093/#/alerts?silenced=false&inhibited=true&receiver=pager&filter=%7Bseverity%3D~%22crit.*%22%7D",
    ]);
    assert_eq!(q.silenced, Some(false));
    assert_eq!(q.inhibited, Some(true));
    assert_eq!(q.receiver.as_deref(), Some("pager"));
    assert!(
        q.to_string().ends_with("(receiver \"pager\" not checked)"),
        "{q}"
    );
    assert_eq!(q.matchers[0].op, Op::Re);
}

#[test]
fn prometheus_links_that_name_an_alert() {
    let q = query(&[
        "http://prometheus:9090/graph?g0.expr=ALERTS%7Balertname%3D%22CatalogP99Latency%22%2Calertstate%3D%22firing%22%7D&g0.tab=1",
    ]);
    assert_eq!(q.to_string(), "{alertname=\"CatalogP99Latency\"}");
    // Prometheus's alerts page searches names by a part of them.
    let q = query(&["http://prometheus:9090/alerts?search=catalog%20p99"]);
    let a = alert(&[("alertname", "Catalog P99 latency")], AlertState::Firing);
    assert!(q.matches(&a));
    let q = query(&["http://prometheus:9090/alerts?search=CatalogP99"]);
    let a = alert(&[("alertname", "CatalogP99Latency")], AlertState::Firing);
    assert!(q.matches(&a));
    let e = parse(&args(&[
        "http://p:9090/graph?g0.expr=ALERTS%7Balertname%3D%22X%22",
    ]))
    .expect_err("unbalanced");
    assert!(e.contains("unbalanced braces"), "{e}");
    // A rule's own expression names no alert.
    let e = parse(&args(&[
        "http://prometheus:9090/graph?g0.expr=rate(x%5B5m%5D)%20%3E%201",
    ]))
    .expect_err("no alert named");
    assert!(e.contains("names no alert"), "{e}");
}

#[test]
fn names_matchers_fingerprints_and_ids() {
    let q = query(&["CatalogP99Latency", "namespace=shop", "pod!=catalog-0"]);
    assert_eq!(
        q.to_string(),
        "{alertname=\"CatalogP99Latency\",namespace=\"shop\",pod!=\"catalog-0\"}"
    );
    let q = query(&["{alertname=~\"Catalog.*\", severity!~\"info|none\"}"]);
    assert_eq!(q.matchers.len(), 2);
    assert_eq!(
        parse(&args(&["0123456789ABCDEF"])),
        Ok(Target::Fingerprint("0123456789abcdef".into()))
    );
    assert_eq!(
        parse(&args(&["2026-11-29-catalog-p99-latency"])),
        Ok(Target::Incident("2026-11-29-catalog-p99-latency".into()))
    );
}

#[test]
fn matchers_select_as_alertmanager_does() {
    let q = query(&["{alertname=~\"Catalog.*\",namespace!=\"dev\",team=\"\"}"]);
    let firing = alert(
        &[("alertname", "CatalogP99Latency"), ("namespace", "shop")],
        AlertState::Firing,
    );
    assert!(q.matches(&firing), "a missing label is empty");
    let dev = alert(
        &[("alertname", "CatalogP99Latency"), ("namespace", "dev")],
        AlertState::Firing,
    );
    assert!(!q.matches(&dev));
    let partial = alert(&[("alertname", "XCatalog")], AlertState::Firing);
    assert!(!q.matches(&partial), "regular expressions are anchored");
    let q = query(&[
        "http://am:9093/#/alerts?silenced=false&filter=%7Balertname%3D%22CatalogP99Latency%22%7D",
    ]);
    let silenced = alert(&[("alertname", "CatalogP99Latency")], AlertState::Silenced);
    assert!(!q.matches(&silenced));
}

#[test]
fn bad_input_says_what_was_expected() {
    for (bad, says) in [
        (
            vec!["https://grafana.example.com/d/abc"],
            "neither an Alertmanager",
        ),
        (vec!["ftp://x/y"], "not a web link"),
        (vec!["{alertname=\"X\""], "unbalanced braces"),
        (vec!["{alertname=\"X}"], "unclosed quote"),
        (vec!["{alertname}"], "malformed matcher"),
        (vec!["{alertname=~\"(\"}"], "alertname=~"),
        (vec!["Catalog", "namespace"], "malformed matcher"),
        (vec!["rm -rf /"], "not an alert name"),
        (vec![], "nothing to open"),
        (vec!["http://am/#/alerts?silenced=false"], "names no alert"),
    ] {
        let e = parse(&args(&bad)).expect_err(&format!("{bad:?}"));
        assert!(e.contains(says), "{bad:?}: {e}");
    }
}
