//! The selector and NetworkChaos target checks: narrower never wider, inside
//! the namespace, and only what can be proven.

use super::super::aim::implies;
use super::tests::{NETWORK_CHAOS, POD_CHAOS, check_of, experiment, passes, refused};
use crate::domain::selector::Requirement;

#[test]
fn the_selector_may_be_narrower_never_wider() {
    // Bound app=checkout,tier=web; the manifest only app=checkout: wider.
    let e = experiment(1, "app=checkout,tier=web", POD_CHAOS);
    refused(&e, None, "Selector", "wider than the bound");
    refused(&e, None, "Selector", "requires tier=web");
    // The other way round: narrower, accepted.
    let narrower = POD_CHAOS.replace("app: checkout", "app: checkout\n      tier: web");
    passes(&experiment(1, "app=checkout", &narrower), None, "Selector");
    passes(
        &experiment(1, "app=checkout,tier=web", &narrower),
        None,
        "Selector",
    );
    // Set-based bounds, met by labels or expressions.
    passes(
        &experiment(1, "app in (checkout,cart)", POD_CHAOS),
        None,
        "Selector",
    );
    passes(&experiment(1, "app", POD_CHAOS), None, "Selector");
    refused(
        &experiment(1, "app=checkout,!canary", POD_CHAOS),
        None,
        "Selector",
        "!canary",
    );
    let expr = POD_CHAOS.replace(
        "      app: checkout\n",
        "      app: checkout\n    expressionSelectors:\n      - {key: canary, operator: DoesNotExist}\n",
    );
    passes(
        &experiment(1, "app=checkout,!canary", &expr),
        None,
        "Selector",
    );
    // Another app, or no labels at all, is refused.
    refused(
        &experiment(1, "app=payments", POD_CHAOS),
        None,
        "Selector",
        "wider",
    );
    let bare = POD_CHAOS.replace(
        "    labelSelectors:\n      app: checkout\n",
        "    namespaces: [shop]\n",
    );
    refused(
        &experiment(1, "app=checkout", &bare),
        None,
        "Selector",
        "every pod",
    );
    let none = POD_CHAOS.replace(
        "  selector:\n    labelSelectors:\n      app: checkout\n",
        "",
    );
    refused(
        &experiment(1, "app=checkout", &none),
        None,
        "Selector",
        "spec.selector is missing",
    );
}

#[test]
fn the_selector_stays_in_the_namespace_and_refuses_what_it_cannot_prove() {
    let with = |extra: &str| {
        experiment(
            1,
            "app=checkout",
            &POD_CHAOS.replace("  selector:\n", &format!("  selector:\n{extra}")),
        )
    };
    passes(&with("    namespaces: [shop]\n"), None, "Selector");
    passes(&with("    namespaces: []\n"), None, "Selector");
    refused(
        &with("    namespaces: [shop, billing]\n"),
        None,
        "Selector",
        "outside the blast radius",
    );
    refused(
        &with("    pods:\n      billing: [db-0]\n"),
        None,
        "Selector",
        "namespace 'billing'",
    );
    refused(
        &with("    pods:\n      shop: [db-0]\n"),
        None,
        "Selector",
        "ignores every other selector",
    );
    passes(&with("    pods: {}\n"), None, "Selector");
    refused(
        &with("    labelSelector:\n      tier: web\n"),
        None,
        "Selector",
        "not a selector warroom knows",
    );
    let narrowed = with("    nodeSelectors:\n      zone: a\n    podPhaseSelectors: [Running]\n");
    let c = check_of(&narrowed, None, "Selector");
    assert!(
        c.ok && c
            .detail
            .contains("narrowed by nodeSelectors, podPhaseSelectors"),
        "{c:?}"
    );
    refused(
        &with("    nodes: node-a\n"),
        None,
        "Selector",
        "list of text",
    );
    refused(
        &with("    expressionSelectors:\n      - {key: a, operator: Near}\n"),
        None,
        "Selector",
        "Near",
    );
    let hostile = POD_CHAOS.replace("app: checkout", "app: \"check\\e[31mout\"");
    let c = check_of(&experiment(1, "app=checkout", &hostile), None, "Selector");
    assert!(!c.ok && !c.detail.contains('\u{1b}'), "{c:?}");
}

#[test]
fn requirements_imply_only_what_they_must() {
    let eq = |k: &str, v: &str| Requirement::Equals(k.into(), v.into());
    let set = |vs: &[&str]| vs.iter().map(|v| v.to_string()).collect::<Vec<_>>();
    let yes = [
        (eq("a", "1"), eq("a", "1")),
        (Requirement::In("a".into(), set(&["1"])), eq("a", "1")),
        (eq("a", "1"), Requirement::In("a".into(), set(&["1", "2"]))),
        (eq("a", "1"), Requirement::Exists("a".into())),
        (eq("a", "1"), Requirement::NotEquals("a".into(), "2".into())),
        (
            eq("a", "1"),
            Requirement::NotIn("a".into(), set(&["2", "3"])),
        ),
        (
            Requirement::NotIn("a".into(), set(&["2", "3"])),
            Requirement::NotIn("a".into(), set(&["3"])),
        ),
        (
            Requirement::DoesNotExist("a".into()),
            Requirement::NotEquals("a".into(), "1".into()),
        ),
    ];
    for (w, b) in &yes {
        assert!(implies(w, b), "{w:?} ⇒ {b:?}");
    }
    let no = [
        (eq("a", "1"), eq("a", "2")),
        (eq("b", "1"), eq("a", "1")),
        (Requirement::In("a".into(), set(&["1", "2"])), eq("a", "1")),
        (Requirement::Exists("a".into()), eq("a", "1")),
        (Requirement::NotEquals("a".into(), "2".into()), eq("a", "1")),
        (
            Requirement::NotIn("a".into(), set(&["3"])),
            Requirement::NotIn("a".into(), set(&["2", "3"])),
        ),
        (eq("a", "1"), Requirement::DoesNotExist("a".into())),
    ];
    for (w, b) in &no {
        assert!(!implies(w, b), "{w:?} ⇏ {b:?}");
    }
}

#[test]
fn a_network_target_stays_in_bounds() {
    let e = experiment(1, "app=checkout", NETWORK_CHAOS);
    for c in e.check_bounds(Some(2)) {
        assert!(c.ok, "{}: {}", c.label, c.detail);
    }
    assert!(check_of(&e, None, "Target").detail.contains("not faulted"));
    // The default direction is `to`.
    passes(
        &experiment(
            1,
            "app=checkout",
            &NETWORK_CHAOS.replace("  direction: to\n", ""),
        ),
        None,
        "Target",
    );
    let elsewhere = NETWORK_CHAOS.replace(
        "    selector:\n      labelSelectors:\n        app: payments",
        "    selector:\n      namespaces: [billing]\n      labelSelectors:\n        app: payments",
    );
    refused(
        &experiment(1, "app=checkout", &elsewhere),
        None,
        "Target",
        "outside the blast radius",
    );
    let unaimed = NETWORK_CHAOS.replace(
        "      labelSelectors:\n        app: payments\n",
        "      namespaces: [shop]\n",
    );
    refused(
        &experiment(1, "app=checkout", &unaimed),
        None,
        "Target",
        "every pod",
    );
    // `from` and `both` fault the target pods: bound labels and counts apply.
    let from = NETWORK_CHAOS.replace("direction: to", "direction: from");
    refused(
        &experiment(1, "app=checkout", &from),
        None,
        "Target",
        "wider",
    );
    let from_checkout = from.replace("app: payments", "app: checkout");
    refused(
        &experiment(1, "app=checkout", &from_checkout),
        None,
        "Target",
        "cannot count",
    );
    let one = from_checkout.replace("    mode: all", "    mode: one");
    passes(&experiment(1, "app=checkout", &one), None, "Target");
    let both = one.replace("direction: from", "direction: both");
    refused(
        &experiment(1, "app=checkout", &both),
        None,
        "Target",
        "2 pods, more than max_pods 1",
    );
    passes(&experiment(2, "app=checkout", &both), None, "Target");
    refused(
        &experiment(
            1,
            "app=checkout",
            &NETWORK_CHAOS.replace("direction: to", "direction: sideways"),
        ),
        None,
        "Target",
        "to, from or both",
    );
    refused(
        &experiment(
            1,
            "app=checkout",
            &NETWORK_CHAOS.replace("    mode: all\n", ""),
        ),
        None,
        "Target",
        "spec.target.mode is missing",
    );
    // Only NetworkChaos has a target to check.
    assert!(
        experiment(1, "app=checkout", POD_CHAOS)
            .check_bounds(None)
            .iter()
            .all(|c| c.label != "Target")
    );
}
