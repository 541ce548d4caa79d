//! Status derivation against pod objects shaped like what the API server sends.

use super::*;
use crate::domain::pod::Owner;

fn pod(json: serde_json::Value) -> K8sPod {
    let mut base = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "catalog-7d9f8b6c5-x2k4q", "namespace": "shop",
                     "creationTimestamp": "2026-11-21T01:00:00Z",
                     "labels": {"app": "catalog", "pod-template-hash": "7d9f8b6c5"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                        "name": "catalog-7d9f8b6c5", "uid": "u1", "controller": true}]},
        "spec": {"nodeName": "node-a", "containers": [{"name": "app", "image": "catalog:1.4"}]}
    });
    merge(&mut base, json);
    serde_json::from_value(base).expect("a valid pod")
}

fn merge(a: &mut serde_json::Value, b: serde_json::Value) {
    match (a, b) {
        (serde_json::Value::Object(a), serde_json::Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (a, b) => *a = b,
    }
}

fn status_of(json: serde_json::Value) -> (String, u32, u32) {
    let p = summarise(&pod(json), Timestamp::UNIX_EPOCH);
    (p.status, p.ready, p.restarts)
}

fn running(ready: bool, restarts: i32) -> serde_json::Value {
    serde_json::json!({"name": "app", "ready": ready, "restartCount": restarts, "image": "x", "imageID": "",
        "state": {"running": {"startedAt": "2026-11-21T01:00:05Z"}}})
}

#[test]
fn running_and_ready() {
    let s = status_of(serde_json::json!({"status": {"phase": "Running",
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [running(true, 0)]}}));
    assert_eq!(s, ("Running".into(), 1, 0));
}

#[test]
fn crash_loop_back_off_counts_restarts() {
    let s = status_of(
        serde_json::json!({"status": {"phase": "Running", "containerStatuses": [
        {"name": "app", "ready": false, "restartCount": 7, "image": "x", "imageID": "",
         "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}},
         "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2026-11-21T02:58:00Z"}}}]}}),
    );
    assert_eq!(s, ("CrashLoopBackOff".into(), 0, 7));
    let p = summarise(
        &pod(
            serde_json::json!({"status": {"phase": "Running", "containerStatuses": [
            {"name": "app", "ready": false, "restartCount": 7, "image": "x", "imageID": "",
             "state": {"waiting": {"reason": "CrashLoopBackOff"}},
             "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-11-21T02:58:00Z"}}}]}}),
        ),
        Timestamp::UNIX_EPOCH,
    );
    assert_eq!(
        p.last_restart,
        Some("2026-11-21T02:58:00Z".parse().expect("ts"))
    );
}

#[test]
fn oom_killed_is_the_terminated_reason() {
    let s = status_of(
        serde_json::json!({"status": {"phase": "Running", "containerStatuses": [
        {"name": "app", "ready": false, "restartCount": 2, "image": "x", "imageID": "",
         "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}}),
    );
    assert_eq!(s, ("OOMKilled".into(), 0, 2));
}

#[test]
fn image_pull_back_off_and_container_creating() {
    let s = status_of(
        serde_json::json!({"status": {"phase": "Pending", "containerStatuses": [
        {"name": "app", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
         "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}}),
    );
    assert_eq!(s.0, "ImagePullBackOff");
    let s = status_of(
        serde_json::json!({"status": {"phase": "Pending", "containerStatuses": [
        {"name": "app", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
         "state": {"waiting": {"reason": "ContainerCreating"}}}]}}),
    );
    assert_eq!(s.0, "ContainerCreating");
}

#[test]
fn init_containers_come_first() {
    let spec = serde_json::json!({"initContainers": [{"name": "migrate"}, {"name": "warm"}]});
    let s = status_of(
        serde_json::json!({"spec": spec, "status": {"phase": "Pending",
        "initContainerStatuses": [{"name": "migrate", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
            "state": {"running": {}}}],
        "containerStatuses": [{"name": "app", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
            "state": {"waiting": {"reason": "PodInitializing"}}}]}}),
    );
    assert_eq!(s.0, "Init:0/2");
    let s = status_of(
        serde_json::json!({"spec": spec, "status": {"phase": "Pending",
        "initContainerStatuses": [
            {"name": "migrate", "ready": true, "restartCount": 0, "image": "x", "imageID": "",
             "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
            {"name": "warm", "ready": false, "restartCount": 4, "image": "x", "imageID": "",
             "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}),
    );
    assert_eq!(s, ("Init:CrashLoopBackOff".into(), 0, 4));
    let s = status_of(
        serde_json::json!({"spec": spec, "status": {"phase": "Pending",
        "initContainerStatuses": [{"name": "migrate", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
            "state": {"terminated": {"exitCode": 3}}}]}}),
    );
    assert_eq!(s.0, "Init:ExitCode:3");
    let s = status_of(
        serde_json::json!({"spec": spec, "status": {"phase": "Pending",
        "initContainerStatuses": [{"name": "migrate", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
            "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}}),
    );
    assert_eq!(s.0, "Init:Error");
}

#[test]
fn pending_evicted_completed_and_terminating() {
    let s = status_of(serde_json::json!({"status": {"phase": "Pending"}}));
    assert_eq!(s, ("Pending".into(), 0, 0));
    let s = status_of(
        serde_json::json!({"status": {"phase": "Failed", "reason": "Evicted",
        "message": "The node was low on resource: memory."}}),
    );
    assert_eq!(s.0, "Evicted");
    let s = status_of(
        serde_json::json!({"status": {"phase": "Succeeded", "containerStatuses": [
        {"name": "app", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
         "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}}),
    );
    assert_eq!(s.0, "Completed");
    let s = status_of(
        serde_json::json!({"metadata": {"deletionTimestamp": "2026-11-21T03:00:00Z"},
        "status": {"phase": "Running", "containerStatuses": [running(true, 0)]}}),
    );
    assert_eq!(s.0, "Terminating");
    let s = status_of(
        serde_json::json!({"status": {"phase": "Failed", "containerStatuses": [
        {"name": "app", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
         "state": {"terminated": {"exitCode": 2}}}]}}),
    );
    assert_eq!(s.0, "ExitCode:2");
}

#[test]
fn a_completed_sidecar_with_a_running_one_is_running_or_not_ready() {
    let both = |ready_condition: &str| {
        serde_json::json!({"spec": {"containers": [{"name": "app"}, {"name": "setup"}]},
        "status": {"phase": "Running",
            "conditions": [{"type": "Ready", "status": ready_condition}],
            "containerStatuses": [
            running(true, 0),
            {"name": "setup", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
             "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}})
    };
    assert_eq!(status_of(both("True")), ("Running".into(), 1, 0));
    assert_eq!(status_of(both("False")).0, "NotReady");
}

#[test]
fn summary_keeps_owner_node_and_containers() {
    let p = summarise(
        &pod(
            serde_json::json!({"status": {"phase": "Running", "containerStatuses": [running(true, 1)]}}),
        ),
        Timestamp::UNIX_EPOCH,
    );
    assert_eq!(p.node, "node-a");
    assert_eq!(p.container_names, ["app"]);
    assert_eq!(p.created_at, "2026-11-21T01:00:00Z".parse().expect("ts"));
    assert_eq!(
        p.workload(),
        Some(Owner {
            kind: "Deployment".into(),
            name: "catalog".into()
        })
    );
}

#[test]
fn an_audited_request_keeps_method_path_and_body_and_never_headers_or_credentials() {
    let request = http::Request::patch(
        "https://admin:hunter2@api.example:6443/apis/apps/v1/namespaces/shop/deployments/catalog/scale?fieldManager=warroom",
    )
    .header("Authorization", "Bearer sekrit-token")
    .header("Cookie", "session=also-secret")
    .body(br#"{"spec":{"replicas":5}}"#.to_vec())
    .expect("a request");
    let r = recorded(&request);
    assert_eq!(r.method, "PATCH");
    assert_eq!(
        r.path,
        "/apis/apps/v1/namespaces/shop/deployments/catalog/scale?fieldManager=warroom"
    );
    assert_eq!(r.body, Some(serde_json::json!({"spec": {"replicas": 5}})));
    let line = serde_json::to_string(&r).expect("json");
    for secret in [
        "sekrit",
        "Bearer",
        "hunter2",
        "admin",
        "session",
        "api.example",
    ] {
        assert!(!line.contains(secret), "{secret} in {line}");
    }
}

#[test]
fn an_rbac_refusal_says_what_was_refused_where() {
    assert_eq!(
        refusal(
            r#"pods is forbidden: User "x" cannot list resource "pods" in API group "" in the namespace "shop""#
        ),
        "list pods in shop"
    );
    assert_eq!(
        refusal(
            r#"deployments.apps "web" is forbidden: User "x" cannot patch resource "deployments/scale" in API group "apps" in the namespace "pay""#
        ),
        "patch deployments/scale.apps in pay"
    );
    assert_eq!(
        refusal(
            r#"pods is forbidden: User "x" cannot watch resource "pods" in API group "" at the cluster scope"#
        ),
        "watch pods in all namespaces (cluster scope)"
    );
    assert_eq!(refusal("no reason given"), "no reason given");
}
