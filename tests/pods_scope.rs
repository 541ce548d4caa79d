//! The Pods pane's word about its scope, and refusals that are the same for
//! every cluster change.

mod common;

use common::Harness;
use warroom::app::Msg;
use warroom::sources::SourceMsg;

fn with_cluster() -> Harness {
    let mut h = Harness::at(0);
    h.send(Msg::Source(SourceMsg::Cluster {
        context: "prod-eu".into(),
        namespace: "shop".into(),
    }));
    h
}

#[test]
fn the_status_line_names_the_namespace_in_force() {
    let mut h = with_cluster();
    assert!(h.screen(200, 50).contains("⎈ prod-eu/shop"));
    h.command("ns payments");
    let screen = h.screen(200, 50);
    assert!(screen.contains("⎈ prod-eu/payments"), "{screen}");
    h.command("ns all");
    assert!(h.screen(200, 50).contains("⎈ prod-eu/all namespaces"));
    h.command("ns bad_ns!");
    assert!(h.screen(200, 50).contains("is not a namespace name"));
}

#[test]
fn a_pod_not_in_the_list_is_refused_for_delete_as_for_restart() {
    let mut h = with_cluster();
    for cmd in ["delete nosuch-pod", "restart nosuch-pod"] {
        h.command(cmd);
        assert!(h.mode.is_normal(), "{cmd} asked: {:?}", h.mode);
        let screen = h.screen(200, 50);
        assert!(
            screen.contains("pod nosuch-pod is not in the list"),
            "{cmd}:\n{screen}"
        );
    }
}

#[test]
fn an_alert_pod_scope_says_what_is_in_force_while_its_owner_is_asked() {
    use warroom::app::Effect;
    use warroom::domain::alert::Alert;
    use warroom::sources::kubernetes::{OwnerSelector, PodRef};
    let mut h = with_cluster();
    let labels = [
        ("alertname", "PodOOM"),
        ("namespace", "shop"),
        ("pod", "shop-crash-0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    h.send(Msg::Source(SourceMsg::Alerts {
        source: "alertmanager".into(),
        result: Ok(vec![Alert {
            fingerprint: "fp-oom".into(),
            labels,
            annotations: Default::default(),
            starts_at: h.app.now,
            state: Default::default(),
            silenced_by: Vec::new(),
            inhibited_by: Vec::new(),
            generator_url: None,
        }]),
    }));
    let pod = PodRef {
        namespace: "shop".into(),
        name: "shop-crash-0".into(),
    };
    // The pod by name until the API names its owner, asked once.
    assert_eq!(h.app.pod_scope().name.as_deref(), Some("shop-crash-0"));
    let asked = |h: &Harness| {
        h.effects
            .iter()
            .filter(|e| matches!(e, Effect::FindOwnerScope(p) if *p == pod))
            .count()
    };
    assert_eq!(asked(&h), 1);
    let screen = h.screen(200, 50);
    assert!(
        screen
            .contains("⎈ prod-eu/shop · shop-crash-0 (pod shop-crash-0 only, finding its owner…)"),
        "{screen}"
    );
    h.send(Msg::OwnerScope {
        pod: pod.clone(),
        result: Ok(Some(OwnerSelector {
            owner: warroom::domain::pod::Owner {
                kind: "Deployment".into(),
                name: "shop".into(),
            },
            selector: "app=shop".into(),
        })),
    });
    assert_eq!(asked(&h), 1);
    assert_eq!(h.app.pod_scope().selector.as_deref(), Some("app=shop"));
    let screen = h.screen(200, 50);
    assert!(
        screen.contains("⎈ prod-eu/shop · app=shop (owner of shop-crash-0: deployment shop)"),
        "{screen}"
    );
    // `:ns` is the scope now: the status line follows, the note goes.
    h.command("ns other");
    let screen = h.screen(200, 50);
    assert!(screen.contains("⎈ prod-eu/other "), "{screen}");
    assert!(!screen.contains("owner of"), "{screen}");
}

/// Across every namespace a pod's name alone is ambiguous: rows read
/// `namespace/name`, as the header says.
#[test]
fn all_namespaces_shows_each_pods_namespace() {
    let mut h = Harness::at(0);
    h.key(crossterm::event::KeyCode::Char('3'));
    let before = h.screen(200, 50);
    assert!(!before.contains("NAMESPACE/NAME"), "{before}");
    h.command("ns all");
    let screen = h.screen(200, 50);
    assert!(screen.contains("NAMESPACE/NAME"), "{screen}");
    assert!(screen.contains("shop/catalog-"), "{screen}");
}
