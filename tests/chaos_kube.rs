//! Chaos Mesh faults through the Kubernetes API against the test API server:
//! applied (server-side apply, labelled, recorded), idempotent, deleted,
//! refused when they are not Chaos Mesh faults, when Chaos Mesh is missing or
//! RBAC forbids them, and found again after a crash; the real kubectl sees
//! what warroom applied.
#![allow(clippy::unwrap_used, clippy::panic)]

mod kube_server;

use kube_server::KubeServer;
use serde_json::{Value, json};
use warroom::sources::kubernetes::{
    EXPERIMENT_LABEL, FaultRef, Kube, KubeOptions, MANAGED_BY_LABEL, apply_fault, delete_fault,
    label_value, leftover_faults,
};

async fn connect(server: &KubeServer) -> Kube {
    Kube::connect(&KubeOptions {
        kubeconfig: Some(server.kubeconfig.clone()),
        ..KubeOptions::default()
    })
    .await
    .unwrap()
}

fn pod_chaos(ns: &str, name: &str) -> Value {
    json!({
        "apiVersion": "chaos-mesh.org/v1alpha1", "kind": "PodChaos",
        "metadata": {"name": name, "namespace": ns, "labels": {"team": "shop"}},
        "spec": {"action": "pod-kill", "mode": "one",
                 "selector": {"namespaces": [ns], "labelSelectors": {"app": "checkout"}}}
    })
}

fn network_chaos(ns: &str, name: &str) -> Value {
    json!({
        "apiVersion": "chaos-mesh.org/v1alpha1", "kind": "NetworkChaos",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"action": "delay", "mode": "all", "delay": {"latency": "200ms"},
                 "selector": {"namespaces": [ns], "labelSelectors": {"app": "ledger"}}}
    })
}

/// The changes the server was asked to make (not discovery, not reads).
fn writes(server: &KubeServer) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|r| !r.starts_with("GET "))
        .collect()
}

#[tokio::test]
async fn an_applied_pod_chaos_is_on_the_server_labelled_and_recorded() {
    let server = KubeServer::start().await;
    let kube = connect(&server).await;
    let (done, fault) = apply_fault(&kube, &pod_chaos("shop", "kill-one-checkout"), "run-1").await;
    assert_eq!(
        done.result,
        Ok("PodChaos shop/kill-one-checkout created".to_string())
    );
    let fault = fault.unwrap();
    assert_eq!(
        fault,
        FaultRef {
            api_version: "chaos-mesh.org/v1alpha1".into(),
            kind: "PodChaos".into(),
            namespace: "shop".into(),
            name: "kill-one-checkout".into(),
            run: "run-1".into(),
        }
    );
    assert_eq!(fault.describe(), "PodChaos shop/kill-one-checkout");

    let obj = server
        .custom("podchaos", "shop", "kill-one-checkout")
        .unwrap();
    let labels = &obj["metadata"]["labels"];
    assert_eq!(labels[EXPERIMENT_LABEL], "run-1");
    assert_eq!(labels[MANAGED_BY_LABEL], "warroom");
    assert_eq!(labels["team"], "shop", "the manifest's own labels are kept");
    assert_eq!(obj["spec"]["action"], "pod-kill");
    assert!(obj["metadata"]["uid"].is_string());

    let path = "/apis/chaos-mesh.org/v1alpha1/namespaces/shop/podchaos/kill-one-checkout";
    let changes = server.changes();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        (changes[0].0.as_str(), changes[0].1.as_str()),
        ("PATCH", path)
    );

    let request = done.request.unwrap();
    assert_eq!(request.method, "PATCH");
    assert!(
        request.path.starts_with(path) && request.path.contains("fieldManager=warroom"),
        "{}",
        request.path
    );
    assert!(
        !request.path.contains("force"),
        "never forced: {}",
        request.path
    );
    let body = request.body.unwrap();
    assert_eq!(body["metadata"]["labels"][EXPERIMENT_LABEL], "run-1");
    assert_eq!(done.answer.status, Some(201));
    assert!(done.answer.ok);
    // Server-side apply, as the server saw it.
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.starts_with(&format!("PATCH {path}?")) && r.contains("fieldManager=warroom")),
        "{:?}",
        server.requests()
    );
}

#[tokio::test]
async fn applying_twice_changes_nothing_the_second_time() {
    let server = KubeServer::start().await;
    let kube = connect(&server).await;
    let manifest = pod_chaos("shop", "kill-one-checkout");
    let run = "2026-11-21T01:02:03Z kill checkout";
    let (first, _) = apply_fault(&kube, &manifest, run).await;
    assert!(first.result.is_ok(), "{:?}", first.result);
    let before = server
        .custom("podchaos", "shop", "kill-one-checkout")
        .unwrap();
    let (second, fault) = apply_fault(&kube, &manifest, run).await;
    assert_eq!(
        second.result,
        Ok("PodChaos shop/kill-one-checkout applied".to_string())
    );
    assert_eq!(second.answer.status, Some(200));
    let after = server
        .custom("podchaos", "shop", "kill-one-checkout")
        .unwrap();
    assert_eq!(before, after, "the same object, resourceVersion and all");
    assert_eq!(server.custom_objects().len(), 1);
    // A run id that is no label value is labelled by its safe form.
    let label = label_value(run);
    assert_ne!(label, run);
    assert_eq!(
        after["metadata"]["labels"][EXPERIMENT_LABEL],
        label.as_str()
    );
    assert_eq!(fault.unwrap().run, label);
}

#[tokio::test]
async fn a_deleted_fault_is_gone_and_deleting_again_is_already_gone() {
    let server = KubeServer::start().await;
    let kube = connect(&server).await;
    let (_, fault) = apply_fault(&kube, &pod_chaos("shop", "kill-one-checkout"), "run-1").await;
    let fault = fault.unwrap();

    let done = delete_fault(&kube, &fault).await;
    assert_eq!(
        done.result,
        Ok("PodChaos shop/kill-one-checkout deleted".to_string())
    );
    assert!(server.custom_objects().is_empty());
    let request = done.request.unwrap();
    assert_eq!(request.method, "DELETE");
    assert_eq!(
        request.path,
        "/apis/chaos-mesh.org/v1alpha1/namespaces/shop/podchaos/kill-one-checkout"
    );
    assert_eq!((done.answer.status, done.answer.ok), (Some(200), true));
    assert!(
        server
            .changes()
            .iter()
            .any(|(m, p, _)| m == "DELETE" && p == &request.path)
    );

    let again = delete_fault(&kube, &fault).await;
    let said = again.result.unwrap();
    assert!(said.contains("already gone"), "{said}");
    assert_eq!(again.answer.status, Some(404));
    assert!(again.answer.ok);
    assert!(again.answer.detail.contains("already gone"));
}

#[tokio::test]
async fn what_is_not_a_chaos_mesh_fault_is_refused_without_a_request() {
    let server = KubeServer::start().await;
    let kube = connect(&server).await;
    let mut deployment = kube_server::deployment("shop", "checkout", 3);
    deployment["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("resourceVersion");
    let mut schedule = pod_chaos("shop", "every-hour");
    schedule["kind"] = json!("Schedule");
    let mut workflow = pod_chaos("shop", "game-day");
    workflow["kind"] = json!("Workflow");
    let mut no_namespace = pod_chaos("shop", "kill-one");
    no_namespace["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("namespace");
    for manifest in [deployment, schedule, workflow, no_namespace] {
        let (done, fault) = apply_fault(&kube, &manifest, "run-1").await;
        let why = done.result.unwrap_err();
        assert!(why.starts_with("refused"), "{why}");
        assert!(fault.is_none());
        assert_eq!(done.request, None);
        assert_eq!((done.answer.status, done.answer.ok), (None, false));
        assert_eq!(done.answer.detail, why);
    }
    assert_eq!(server.requests(), Vec::<String>::new(), "nothing was sent");
    let fake = FaultRef {
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
        namespace: "shop".into(),
        name: "checkout".into(),
        run: "run-1".into(),
    };
    assert!(delete_fault(&kube, &fake).await.result.is_err());
    assert_eq!(server.requests(), Vec::<String>::new(), "nothing was sent");
}

#[tokio::test]
async fn without_chaos_mesh_the_apply_says_so_and_changes_nothing() {
    let server = KubeServer::start().await;
    server.set_chaos_mesh(false);
    let kube = connect(&server).await;
    let (done, fault) = apply_fault(&kube, &pod_chaos("shop", "kill-one-checkout"), "run-1").await;
    assert_eq!(
        done.result,
        Err(
            "chaos-mesh.org/v1alpha1 PodChaos is not served by this cluster: is Chaos Mesh installed?"
                .to_string()
        )
    );
    assert!(fault.is_none());
    assert_eq!(done.request, None);
    assert!(writes(&server).is_empty(), "{:?}", server.requests());
    assert!(server.changes().is_empty());
    assert_eq!(leftover_faults(&kube).await, Ok(Vec::new()));
}

#[tokio::test]
async fn rbac_forbidding_create_refuses_the_apply_with_the_reason() {
    let server = KubeServer::start().await;
    // May change faults that exist, not create new ones.
    let role = json!({"kind": "Role", "rules": [{"apiGroups": ["chaos-mesh.org"],
        "resources": ["podchaos"], "verbs": ["get", "list", "patch", "delete"]}]});
    server.bind_role(&role, "shop");
    let kube = connect(&server).await;
    let (done, fault) = apply_fault(&kube, &pod_chaos("shop", "kill-one-checkout"), "run-1").await;
    assert_eq!(
        done.result,
        Err("forbidden by RBAC: create podchaos.chaos-mesh.org in shop".to_string())
    );
    assert!(fault.is_none());
    assert_eq!(done.answer.status, Some(403));
    assert!(!done.answer.ok);
    assert_eq!(
        done.request.unwrap().method,
        "PATCH",
        "the request was sent"
    );
    assert!(server.custom_objects().is_empty());
    assert!(server.changes().is_empty());

    // One that exists may be applied again (patch is allowed).
    server.put_custom(pod_chaos("shop", "kill-one-checkout"));
    let (done, _) = apply_fault(&kube, &pod_chaos("shop", "kill-one-checkout"), "run-1").await;
    assert!(done.result.is_ok(), "{:?}", done.result);
}

#[tokio::test]
async fn leftover_faults_are_what_warroom_applied_and_nothing_else() {
    let server = KubeServer::start().await;
    let kube = connect(&server).await;
    assert_eq!(leftover_faults(&kube).await, Ok(Vec::new()));
    let (_, a) = apply_fault(&kube, &pod_chaos("shop", "kill-one-checkout"), "run-1").await;
    let (_, b) = apply_fault(&kube, &network_chaos("payments", "slow-ledger"), "run-2").await;
    // Someone else's fault, and one that only claims to be warroom's.
    server.put_custom(pod_chaos("shop", "by-hand"));
    let mut half = network_chaos("payments", "half-labelled");
    half["metadata"]["labels"] = json!({MANAGED_BY_LABEL: "warroom"});
    server.put_custom(half);
    assert_eq!(server.custom_objects().len(), 4);

    let asked_before = server.requests().len();
    let found = leftover_faults(&kube).await.unwrap();
    assert_eq!(found, vec![a.unwrap(), b.unwrap()]);
    let lists: Vec<String> = server.requests()[asked_before..]
        .iter()
        .filter(|r| r.starts_with("GET /apis/chaos-mesh.org/v1alpha1/"))
        .cloned()
        .collect();
    assert_eq!(lists.len(), 5, "every kind, across namespaces: {lists:?}");
    assert!(
        lists.iter().all(|r| r
            .contains("labelSelector=app.kubernetes.io/managed-by=warroom,warroom.dev/experiment")),
        "{lists:?}"
    );

    // Cleaned up, nothing is left over.
    for fault in &found {
        assert!(delete_fault(&kube, fault).await.result.is_ok());
    }
    assert_eq!(leftover_faults(&kube).await, Ok(Vec::new()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_kubectl_lists_the_applied_fault() {
    if std::process::Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("skipped: kubectl is not installed (scripts/test.sh installs it)");
        return;
    }
    let server = KubeServer::start().await;
    let kube = connect(&server).await;
    let (done, _) = apply_fault(&kube, &pod_chaos("shop", "kill-one-checkout"), "run-1").await;
    assert!(done.result.is_ok(), "{:?}", done.result);
    server.put_custom(pod_chaos("payments", "by-hand"));
    let cfg = server.kubeconfig.clone();
    let cache = tempfile::tempdir().unwrap();
    let kubectl = |args: &[&str]| {
        let (cfg, cache) = (cfg.clone(), cache.path().to_path_buf());
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        async move {
            tokio::task::spawn_blocking(move || {
                std::process::Command::new("kubectl")
                    .arg("--kubeconfig")
                    .arg(&cfg)
                    .arg("--cache-dir")
                    .arg(&cache)
                    .args(&args)
                    .output()
                    .unwrap()
            })
            .await
            .unwrap()
        }
    };
    let run = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let names = run(kubectl(&[
        "get",
        "podchaos",
        "-A",
        "-l",
        EXPERIMENT_LABEL,
        "-o",
        "name",
    ])
    .await);
    assert_eq!(
        names.lines().collect::<Vec<_>>(),
        ["podchaos.chaos-mesh.org/kill-one-checkout"]
    );
    let table = run(kubectl(&["get", "podchaos", "-A", "-l", EXPERIMENT_LABEL]).await);
    assert!(table.contains("kill-one-checkout"), "{table}");
    assert!(!table.contains("by-hand"), "{table}");
    let all = run(kubectl(&["get", "podchaos", "-A", "-o", "name"]).await);
    assert_eq!(all.lines().count(), 2, "{all}");
}
