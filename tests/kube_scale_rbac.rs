//! The README's minimal Role, loaded from the README itself into the test API
//! server's RBAC: everything warroom does in the bound namespace is allowed,
//! and the same outside it is refused in plain words.
#![allow(clippy::unwrap_used, clippy::panic)]

mod kube_server;

use std::time::Duration;

use kube_server::rbac::{Rbac, attributes, rules_of_role};
use kube_server::{KubeServer, deployment, pod};
use serde_json::Value;
use tokio::sync::watch;
use warroom::domain::pod::Owner;
use warroom::sources::SourceMsg;
use warroom::sources::kubernetes::{
    self, Action, Kube, KubeOptions, PodRef, PodScope, pod_events, stream_logs,
};

/// The README's YAML block that is a Role.
fn readme_role() -> Value {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block = readme
        .split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split_once("```").map(|(y, _)| y))
        .find(|y| y.contains("kind: Role"))
        .expect("a Role in the README");
    serde_yaml::from_str(block).unwrap()
}

/// The first pods message: the list, or the refusal.
async fn first_list(kube: &Kube, namespace: &str) -> Result<usize, String> {
    let (_scope, rx) = watch::channel(Some(PodScope {
        namespace: namespace.into(),
        ..PodScope::default()
    }));
    let (tx, mut out) = warroom::sources::channel();
    let task = tokio::spawn(kubernetes::watch_pods(
        kube.clone(),
        rx,
        tx,
        Duration::from_millis(50),
    ));
    let got = loop {
        match tokio::time::timeout(Duration::from_secs(10), out.recv()).await {
            Ok(Some(SourceMsg::Pods { result, .. })) => break result.map(|p| p.len()),
            Ok(Some(_)) => continue,
            other => panic!("no pods message: {other:?}"),
        }
    };
    task.abort();
    got
}

#[test]
fn the_role_covers_each_verb_the_readme_lists_and_nothing_cluster_wide() {
    let role = readme_role();
    assert_eq!(role["kind"], "Role");
    let rbac = Rbac {
        rules: Some(rules_of_role(&role, Some("shop"))),
        denied: Vec::new(),
    };
    let allowed = |method: &str, path: &str, watching: bool| {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        rbac.allows(&attributes(method, &segs, watching).unwrap())
    };
    let ns = "/api/v1/namespaces/shop";
    let apps = "/apis/apps/v1/namespaces/shop";
    for (method, path, watching) in [
        ("GET", format!("{ns}/pods"), false),
        ("GET", format!("{ns}/pods"), true),
        ("GET", format!("{ns}/pods/p"), false),
        ("GET", format!("{ns}/pods/p/log"), false),
        ("GET", format!("{ns}/events"), false),
        ("DELETE", format!("{ns}/pods/p"), false),
        ("GET", format!("{apps}/replicasets/r"), false),
        ("GET", format!("{apps}/deployments/d"), false),
        ("PATCH", format!("{apps}/deployments/d"), false),
        ("PATCH", format!("{apps}/statefulsets/s"), false),
        ("PATCH", format!("{apps}/daemonsets/s"), false),
        ("GET", format!("{apps}/deployments/d/scale"), false),
        ("PATCH", format!("{apps}/deployments/d/scale"), false),
        ("PATCH", format!("{apps}/statefulsets/s/scale"), false),
    ] {
        assert!(
            allowed(method, &path, watching),
            "{method} {path} watch={watching}"
        );
    }
    for (method, path) in [
        ("GET", "/api/v1/pods"),
        ("GET", "/api/v1/namespaces/payments/pods"),
        ("DELETE", "/api/v1/namespaces/shop/events/e"),
        ("PATCH", "/api/v1/namespaces/shop/pods/p"),
        ("DELETE", "/apis/apps/v1/namespaces/shop/deployments/d"),
        ("GET", "/api/v1/namespaces/shop/secrets/s"),
    ] {
        assert!(!allowed(method, path, false), "{method} {path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_readme_role_everything_in_the_namespace_works_and_outside_is_refused() {
    let server = KubeServer::start().await;
    server.put_pod(pod(
        "shop",
        "catalog-5f7c9d8b6-aaaaa",
        "catalog",
        "crash",
        3,
    ));
    server.put_pod(pod(
        "shop",
        "catalog-5f7c9d8b6-bbbbb",
        "catalog",
        "running",
        0,
    ));
    server.put_pod(pod(
        "payments",
        "ledger-5f7c9d8b6-ccccc",
        "ledger",
        "running",
        0,
    ));
    server.put_deployment(deployment("shop", "catalog", 3));
    server.state.lock().unwrap().logs.insert(
        ("shop".into(), "catalog-5f7c9d8b6-aaaaa".into()),
        vec!["started".into(), "panic: boom".into()],
    );
    server.bind_role(&readme_role(), "shop");
    let kube = Kube::connect(&KubeOptions {
        kubeconfig: Some(server.kubeconfig.clone()),
        ..KubeOptions::default()
    })
    .await
    .unwrap();

    // In the namespace: the watch, details, log and every action.
    assert_eq!(first_list(&kube, "shop").await, Ok(2));
    assert_eq!(first_list(&kube, "").await, Ok(2), "the kubeconfig's own");
    let crashed = PodRef {
        namespace: "shop".into(),
        name: "catalog-5f7c9d8b6-aaaaa".into(),
    };
    pod_events(&kube, "shop", &crashed.name).await.unwrap();
    let (tx, mut rx) = warroom::sources::channel();
    stream_logs(kube.clone(), crashed.clone(), None, false, false, tx).await;
    let mut lines = Vec::new();
    while let Ok(SourceMsg::PodLog { lines: l, .. }) = rx.try_recv() {
        lines.extend(l.unwrap());
    }
    assert_eq!(lines, ["started", "panic: boom"]);
    let deploy = Owner {
        kind: "Deployment".into(),
        name: "catalog".into(),
    };
    for action in [
        Action::Restart {
            namespace: "shop".into(),
            workload: deploy.clone(),
        },
        Action::Scale {
            namespace: "shop".into(),
            workload: deploy,
            replicas: 5,
        },
        Action::DeletePod(crashed),
    ] {
        let done = kubernetes::perform(&kube, &action).await;
        assert!(done.is_ok(), "{}: {done:?}", action.short());
    }

    // Outside it: refused, in plain words.
    assert_eq!(
        first_list(&kube, "payments").await,
        Err("forbidden by RBAC: list pods in payments".into())
    );
    assert_eq!(
        first_list(&kube, warroom::domain::pod::ALL_NAMESPACES).await,
        Err("forbidden by RBAC: list pods in all namespaces (cluster scope)".into())
    );
    let e = kubernetes::perform(
        &kube,
        &Action::DeletePod(PodRef {
            namespace: "payments".into(),
            name: "ledger-5f7c9d8b6-ccccc".into(),
        }),
    )
    .await
    .unwrap_err();
    assert_eq!(e, "forbidden by RBAC: delete pods in payments");
}
