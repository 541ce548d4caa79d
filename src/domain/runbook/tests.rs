//! Tests of runbook parsing and the library.

use super::*;
use std::path::Path;

const SAMPLE: &str = "---
id: catalog-latency
title: Catalog p99 latency
alerts: [CatalogP99Latency]
namespace: shop
query: histogram_quantile(0.99, sum by (le) (rate(x[5m])))
threshold: 0.5
last_exercised: 2026-09-01
---
# Ignored title

## Alert
p99 above 500 ms.

## Check
- [ ] Is it real? `kubectl -n $NAMESPACE get pods`
- Compare `{{ $labels.service }}` with the dashboard.
  - nested detail

## Diagnosis

1. Look at logs:

   ```sh
   kubectl -n {{ $labels.namespace }} logs \\
     deploy/catalog
   ```
2. If errors, go to step 4.

## Mitigation
Roll back:

```bash
kubectl -n shop rollout undo deploy/catalog
```

## Impact
Users wait.

## Postmortem
Use the template.
";

fn sample() -> Runbook {
    parse(Path::new("runbooks/catalog.md"), SAMPLE).expect("parses")
}

#[test]
fn front_matter_fields() {
    let rb = sample();
    assert_eq!(rb.id, "catalog-latency");
    assert_eq!(rb.title, "Catalog p99 latency");
    assert_eq!(rb.meta.threshold, Some(0.5));
    assert_eq!(rb.meta.namespace.as_deref(), Some("shop"));
    assert_eq!(rb.meta.last_exercised, Some(jiff::civil::date(2026, 9, 1)));
}

#[test]
fn sections_in_order_with_kinds() {
    let kinds: Vec<_> = sample().sections.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            SectionKind::Alert,
            SectionKind::Check,
            SectionKind::Diagnose,
            SectionKind::Mitigate,
            SectionKind::Other,
            SectionKind::Postmortem
        ]
    );
}

#[test]
fn steps_with_commands_and_lines() {
    let rb = sample();
    let check = &rb.sections[1];
    assert_eq!(check.steps.len(), 2);
    assert_eq!(check.steps[0].id, "check-1");
    assert_eq!(
        check.steps[0].text,
        "Is it real? `kubectl -n $NAMESPACE get pods`"
    );
    assert_eq!(check.steps[0].commands, ["kubectl -n $NAMESPACE get pods"]);
    assert_eq!(check.steps[0].line, 16);
    assert_eq!(check.steps[1].details, ["  • nested detail"]);
    assert!(
        check.steps[1].commands.is_empty(),
        "a lone placeholder is not a command"
    );
    let diag = &rb.sections[2];
    assert_eq!(
        diag.steps[0].commands,
        ["kubectl -n {{ $labels.namespace }} logs deploy/catalog"]
    );
    assert_eq!(diag.steps[1].text, "If errors, go to step 4.");
    let mitigate = &rb.sections[3];
    assert_eq!(mitigate.steps.len(), 1);
    assert_eq!(mitigate.steps[0].text, "Roll back:");
    assert_eq!(
        mitigate.steps[0].commands,
        ["kubectl -n shop rollout undo deploy/catalog"]
    );
    assert_eq!(rb.sections[4].prose, ["Users wait."]);
}

#[test]
fn without_front_matter_uses_h1_and_file_name() {
    let rb = parse(
        Path::new("x/TargetDown.md"),
        "# Target down\n\n## Check\n1. a\n",
    )
    .expect("ok");
    assert_eq!(rb.id, "TargetDown");
    assert_eq!(rb.title, "Target down");
    assert_eq!(rb.sections[0].steps[0].id, "check-1");
}

#[test]
fn malformed_front_matter_is_an_error_with_a_line() {
    let err = parse(
        Path::new("bad.md"),
        "---\nid: x\nalerts: [unclosed\n---\n# T\n",
    )
    .expect_err("bad yaml");
    assert!(err.message.contains("front matter"), "{err}");
    assert!(err.line >= 2, "{err}");
    let err = parse(Path::new("bad.md"), "---\nid: x\n# never closed\n").expect_err("unclosed");
    assert!(err.to_string().starts_with("bad.md:1:"), "{err}");
    let err = parse(Path::new("bad.md"), "---\nthreshold: [3\n---\n").expect_err("bad yaml");
    assert!(err.message.contains("front matter"), "{err}");
    let err = parse(Path::new("bad.md"), "---\nthreshold: high\n---\n").expect_err("type");
    assert!(err.message.contains("threshold"), "{err}");
}

#[test]
fn terminal_transcripts_run_only_their_prompt_lines() {
    let rb = parse(
            Path::new("t.md"),
            "## Diagnose\n\nFor example:\n\n```txt\n - node = node1\n```\n\nCheck the node:\n\n```shell\n$ kubectl get node $NODE \\\n    -o yaml\nNAME STATUS\nnode1 NotReady\n$ kubectl describe node $NODE\n```\n",
        )
        .expect("parses");
    let st = &rb.sections[0].steps[0];
    assert_eq!(st.text, "Check the node:");
    assert_eq!(
        st.commands,
        [
            "kubectl get node $NODE -o yaml",
            "kubectl describe node $NODE"
        ]
    );
    assert_eq!(st.details, ["NAME STATUS\nnode1 NotReady"]);
    assert_eq!(rb.sections[0].prose, ["For example:", " - node = node1"]);
}

#[test]
fn odd_markdown_never_panics() {
    for text in [
        "",
        "---\n---\n",
        "## Check\n```\nunclosed fence",
        "## Check\n- \n- [x]\n",
        "<details><summary>x</summary>\n\n- a\n</details>",
        "## Mitigate\n\n    indented code\n",
        "# a\n# b\n## Check\n|a|b|\n|-|-|\n|1|2|\n",
    ] {
        let _ = parse(Path::new("odd.md"), text);
    }
}

#[test]
fn covers_matches_alerts_list_and_file_name() {
    let rb = sample();
    let mut alert = Alert {
        fingerprint: "f".into(),
        labels: [("alertname".to_string(), "catalogp99latency".to_string())].into(),
        annotations: Default::default(),
        starts_at: jiff::Timestamp::UNIX_EPOCH,
        ..Alert::default()
    };
    assert!(rb.covers(&alert));
    alert.labels.insert("alertname".into(), "Catalog".into());
    assert!(rb.covers(&alert));
    alert.labels.insert("alertname".into(), "Other".into());
    assert!(!rb.covers(&alert));
}

#[test]
fn runbook_url_wins_over_alert_lists() {
    let parse_at = |file: &str, text: &str| parse(Path::new(file), text).expect("parses");
    let lib = Library {
        runbooks: vec![
            parse_at(
                "runbooks/generic.md",
                "---\nalerts: [TargetDown]\n---\n# Generic\n",
            ),
            parse_at("runbooks/TargetDown.md", "# Target down\n"),
            parse_at(
                "runbooks/x.md",
                "---\nid: scrape-failures\n---\n# Scrapes\n",
            ),
        ],
        errors: Vec::new(),
        origins: Vec::new(),
    };
    let mut alert = Alert {
        labels: [("alertname".to_string(), "TargetDown".to_string())].into(),
        ..Alert::default()
    };
    assert_eq!(
        lib.for_alert(&alert).map(|r| r.id.as_str()),
        Some("generic")
    );
    alert.annotations.insert(
        "runbook_url".into(),
        "https://runbooks.example.com/runbooks/general/targetdown".into(),
    );
    assert_eq!(
        lib.for_alert(&alert).map(|r| r.id.as_str()),
        Some("TargetDown")
    );
    alert
        .annotations
        .insert("runbook_url".into(), "https://wiki/Scrape-Failures".into());
    assert_eq!(
        lib.for_alert(&alert).map(|r| r.id.as_str()),
        Some("scrape-failures")
    );
    // A folder runbook named like the alert wins over a built-in listing it.
    let mut with_builtin = Library {
        runbooks: vec![
            parse_at(
                "(built in)/generic.md",
                "---\nid: shipped\nalerts: [Other]\n---\n# Shipped\n",
            ),
            parse_at("runbooks/Other.md", "# Team's own\n"),
        ],
        errors: Vec::new(),
        origins: Vec::new(),
    };
    let other = Alert {
        labels: [("alertname".to_string(), "Other".to_string())].into(),
        ..Alert::default()
    };
    assert_eq!(
        with_builtin.for_alert(&other).map(|r| r.id.as_str()),
        Some("Other")
    );
    with_builtin.runbooks.pop();
    assert_eq!(
        with_builtin.for_alert(&other).map(|r| r.id.as_str()),
        Some("shipped")
    );
    // A URL naming no runbook here falls back to the alerts list.
    alert
        .annotations
        .insert("runbook_url".into(), "https://wiki/elsewhere".into());
    assert_eq!(
        lib.for_alert(&alert).map(|r| r.id.as_str()),
        Some("generic")
    );
}
