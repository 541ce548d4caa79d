//! A small Kubernetes API server for tests: discovery, pods (list, get, watch,
//! delete, logs), events, apps/v1 deployments (get, patch, scale), and
//! Chaos Mesh's custom resources (see `custom`), over plain HTTP on loopback.
//! Enough of the protocol for kube-rs and kubectl:
//! resourceVersions, watches that resume and expire (`410 Gone`), bookmarks,
//! RBAC refusals; and what a bad day brings: churn, a frozen server, a killed
//! and restarted one (see `control`).
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

pub mod configmaps;
mod control;
pub mod custom;
pub mod rbac;
mod watch;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

/// What the server holds and what it was asked.
#[derive(Default)]
pub struct Cluster {
    pub pods: BTreeMap<(String, String), Value>,
    pub deployments: BTreeMap<(String, String), Value>,
    /// StatefulSets by (namespace, name), for owner lookups (GET only).
    pub statefulsets: BTreeMap<(String, String), Value>,
    pub events: Vec<Value>,
    pub logs: BTreeMap<(String, String), Vec<String>>,
    pub previous_logs: BTreeMap<(String, String), Vec<String>>,
    /// Pods whose deletion RBAC forbids.
    pub forbidden: Vec<String>,
    /// Every request as `METHOD path?query`.
    pub requests: Vec<String>,
    /// Every change: (method, path, body).
    pub changes: Vec<(String, String, Value)>,
    /// Audit tests: ReplicaSets by (namespace, name), and whether changes
    /// are answered 2xx with a body no client expects.
    pub audit: AuditKnobs,
    /// Who may do what; everything by default.
    pub rbac: rbac::Rbac,
    /// Changes kept for watches to resume from, oldest first.
    pub history: VecDeque<(String, Value)>,
    /// How many changes are kept (default [`watch::HISTORY_KEPT`]).
    pub history_limit: Option<usize>,
    /// A watch from a resourceVersion below this is `410 Gone`.
    pub compacted: u64,
    /// How often watches get a BOOKMARK (default [`watch::BOOKMARK_EVERY`]).
    pub bookmark_every: Option<Duration>,
    /// BOOKMARK events sent, over all watches.
    pub bookmarks_sent: usize,
    /// Whether Chaos Mesh's CRDs are installed (true from `start`).
    pub chaos_mesh: bool,
    /// Custom objects by (plural, namespace, name).
    pub custom: BTreeMap<custom::Key, Value>,
    /// ConfigMaps by (namespace, name).
    pub configmaps: BTreeMap<(String, String), Value>,
    rv: u64,
}

/// A running test API server.
pub struct KubeServer {
    pub port: u16,
    pub state: Arc<Mutex<Cluster>>,
    events: broadcast::Sender<(String, Value)>,
    /// `true` while frozen: nothing is answered or streamed.
    frozen: tokio::sync::watch::Sender<bool>,
    /// The accepting task and every connection's, aborted by `kill`.
    tasks: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
    _dir: tempfile::TempDir,
    pub kubeconfig: std::path::PathBuf,
}

impl KubeServer {
    /// Starts on a free loopback port with a kubeconfig pointing at it
    /// (context `test`, namespace `shop`).
    pub async fn start() -> KubeServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(Cluster {
            chaos_mesh: true,
            ..Cluster::default()
        }));
        let (events, _) = broadcast::channel(1024);
        let (frozen, _) = tokio::sync::watch::channel(false);
        let tasks = Arc::new(Mutex::new(Vec::new()));
        control::accept(
            listener,
            state.clone(),
            events.clone(),
            frozen.subscribe(),
            tasks.clone(),
        );
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        std::fs::write(
            &kubeconfig,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: http://127.0.0.1:{port}\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: tester\n    namespace: shop\n- name: other\n  context:\n    cluster: test\n    user: tester\n    namespace: payments\ncurrent-context: test\nusers:\n- name: tester\n  user:\n    token: test-token\n"
            ),
        )
        .unwrap();
        KubeServer {
            port,
            state,
            events,
            frozen,
            tasks,
            _dir: dir,
            kubeconfig,
        }
    }

    /// Adds or replaces a pod and tells watchers.
    pub fn put_pod(&self, pod: Value) {
        let mut c = self.state.lock().unwrap();
        upsert_pod(&mut c, &self.events, pod);
    }

    /// Removes a pod and tells watchers.
    pub fn remove_pod(&self, ns: &str, name: &str) {
        let mut c = self.state.lock().unwrap();
        if let Some(p) = c.pods.remove(&(ns.to_string(), name.to_string())) {
            watch::publish(&mut c, &self.events, "DELETED", p);
        }
    }

    pub fn put_deployment(&self, d: Value) {
        let mut c = self.state.lock().unwrap();
        c.deployments.insert(key_of(&d), d);
    }

    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn changes(&self) -> Vec<(String, String, Value)> {
        self.state.lock().unwrap().changes.clone()
    }
}

/// Adds or replaces a pod, with a new resourceVersion, and tells watchers.
fn upsert_pod(c: &mut Cluster, events: &broadcast::Sender<(String, Value)>, pod: Value) {
    let key = key_of(&pod);
    let kind = if c.pods.contains_key(&key) {
        "MODIFIED"
    } else {
        "ADDED"
    };
    let pod = watch::publish(c, events, kind, pod);
    c.pods.insert(key, pod);
}

/// Waits while the server is frozen.
async fn thawed(frozen: &tokio::sync::watch::Receiver<bool>) {
    let mut rx = frozen.clone();
    let _ = rx.wait_for(|f| !*f).await;
}

fn key_of(v: &Value) -> (String, String) {
    (
        v["metadata"]["namespace"]
            .as_str()
            .unwrap_or("")
            .to_string(),
        v["metadata"]["name"].as_str().unwrap_or("").to_string(),
    )
}

/// A pod shaped like a real one: `state` is `running`, `crash`, `pending` or
/// `oom`.
pub fn pod(ns: &str, name: &str, app: &str, state: &str, restarts: i64) -> Value {
    let (phase, ready, cstate, last) = match state {
        "running" => (
            "Running",
            true,
            json!({"running": {"startedAt": "2026-11-21T01:00:05Z"}}),
            json!({}),
        ),
        "crash" => (
            "Running",
            false,
            json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}}),
            json!({"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2026-11-21T02:58:00Z"}}),
        ),
        "oom" => (
            "Running",
            false,
            json!({"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": "2026-11-21T02:59:00Z"}}),
            json!({}),
        ),
        _ => (
            "Pending",
            false,
            json!({"waiting": {"reason": "ContainerCreating"}}),
            json!({}),
        ),
    };
    let hash = "5f7c9d8b6";
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": name, "namespace": ns, "uid": format!("uid-{name}"),
            "creationTimestamp": "2026-11-20T03:00:00Z",
            "labels": {"app": app, "pod-template-hash": hash},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "name": format!("{app}-{hash}"), "uid": "rs-uid", "controller": true, "blockOwnerDeletion": true}]
        },
        "spec": {"nodeName": "node-a", "containers": [{"name": app, "image": format!("{app}:1.4")}]},
        "status": {
            "phase": phase,
            "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
            "containerStatuses": [{"name": app, "ready": ready, "restartCount": restarts,
                "image": format!("{app}:1.4"), "imageID": "", "state": cstate, "lastState": last}]
        }
    })
}

/// A Deployment with `replicas`.
pub fn deployment(ns: &str, name: &str, replicas: i64) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "uid": format!("uid-{name}"), "resourceVersion": "1",
                     "creationTimestamp": "2026-11-20T03:00:00Z"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": name, "image": format!("{name}:1.4")}]}}},
        "status": {"replicas": replicas}
    })
}

struct Request {
    method: String,
    path: String,
    query: BTreeMap<String, String>,
    /// The Content-Type header (patch types differ by it).
    content_type: String,
    body: Value,
}

async fn read_request(r: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if r.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut len = 0usize;
    let mut content_type = String::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).await.ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            } else if k.eq_ignore_ascii_case("content-type") {
                content_type = v.trim().to_string();
            }
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).await.ok()?;
    let (path, q) = target.split_once('?').unwrap_or((&target, ""));
    let query = url::form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Some(Request {
        method,
        path: path.to_string(),
        query,
        content_type,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    })
}

async fn respond(s: &mut BufReader<TcpStream>, code: u16, body: &Value) -> std::io::Result<()> {
    let text = body.to_string();
    let reason = match code {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        415 => "Unsupported Media Type",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        text.len()
    );
    s.get_mut().write_all(head.as_bytes()).await?;
    s.get_mut().write_all(text.as_bytes()).await?;
    s.get_mut().flush().await
}

fn status(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": message, "reason": reason, "code": code})
}

fn matches(pod: &Value, ns: Option<&str>, q: &BTreeMap<String, String>) -> bool {
    if ns.is_some_and(|n| pod["metadata"]["namespace"] != n) {
        return false;
    }
    if let Some(sel) = q.get("labelSelector").filter(|s| !s.is_empty()) {
        for term in sel.split(',') {
            let ok = match term.split_once("!=") {
                Some((k, v)) => pod["metadata"]["labels"][k] != v,
                None => match term.split_once('=') {
                    Some((k, v)) => pod["metadata"]["labels"][k] == v.trim_start_matches('='),
                    None => !pod["metadata"]["labels"][term].is_null(),
                },
            };
            if !ok {
                return false;
            }
        }
    }
    if let Some(f) = q
        .get("fieldSelector")
        .and_then(|f| f.strip_prefix("metadata.name="))
    {
        return pod["metadata"]["name"] == f;
    }
    true
}

async fn serve(
    sock: TcpStream,
    state: Arc<Mutex<Cluster>>,
    events: broadcast::Sender<(String, Value)>,
    frozen: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<()> {
    let mut s = BufReader::new(sock);
    while let Some(req) = read_request(&mut s).await {
        thawed(&frozen).await;
        let q = &req.query;
        let qs: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        state.lock().unwrap().requests.push(format!(
            "{} {}?{}",
            req.method,
            req.path,
            qs.join("&")
        ));
        let segs: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        if let Some((code, body)) = refused(&state, &req, &segs) {
            respond(&mut s, code, &body).await?;
            continue;
        }
        if let Some((code, body)) = custom::route(&state, &req, &segs) {
            respond(&mut s, code, &body).await?;
            continue;
        }
        if let Some((code, body)) =
            configmaps::route(&mut s, &state, &events, &frozen, &req, &segs).await?
        {
            if code == 0 {
                return Ok(()); // a watch that ended
            }
            respond(&mut s, code, &body).await?;
            continue;
        }
        let (code, body) = match (req.method.as_str(), segs.as_slice()) {
            ("GET", ["api"]) => (
                200,
                json!({"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}),
            ),
            ("GET", ["apis"]) => {
                let mut groups = vec![json!(
                {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
                 "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}})];
                if state.lock().unwrap().chaos_mesh {
                    groups.push(custom::api_group());
                }
                (
                    200,
                    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
                )
            }
            ("GET", ["api", "v1"]) => (
                200,
                json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod", "shortNames": ["po"],
                 "verbs": ["get", "list", "watch", "delete"]},
                {"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]},
                {"name": "events", "singularName": "event", "namespaced": true, "kind": "Event", "shortNames": ["ev"],
                 "verbs": ["get", "list"]},
                {"name": "configmaps", "singularName": "configmap", "namespaced": true, "kind": "ConfigMap",
                 "shortNames": ["cm"], "verbs": ["create", "delete", "get", "list", "watch"]}]}),
            ),
            ("GET", ["apis", "apps", "v1"]) => (
                200,
                json!({"kind": "APIResourceList", "groupVersion": "apps/v1", "resources": [
                {"name": "deployments", "singularName": "deployment", "namespaced": true, "kind": "Deployment",
                 "shortNames": ["deploy"], "verbs": ["get", "list", "patch"]},
                {"name": "deployments/scale", "singularName": "", "namespaced": true, "kind": "Scale", "group": "autoscaling",
                 "version": "v1", "verbs": ["get", "patch"]}]}),
            ),
            ("GET", ["version"]) => (
                200,
                json!({"major": "1", "minor": "33", "gitVersion": "v1.33.0",
                "platform": "linux/amd64"}),
            ),
            ("GET", ["api", "v1", "pods"]) => {
                watch::list_or_watch(&mut s, &state, &events, &frozen, None, q).await?
            }
            ("GET", ["api", "v1", "namespaces", ns, "pods"]) => {
                watch::list_or_watch(&mut s, &state, &events, &frozen, Some(ns), q).await?
            }
            ("GET", ["api", "v1", "namespaces", ns, "pods", name]) => {
                match state
                    .lock()
                    .unwrap()
                    .pods
                    .get(&(ns.to_string(), name.to_string()))
                {
                    Some(p) => (200, p.clone()),
                    None => (
                        404,
                        status(404, "NotFound", &format!("pods \"{name}\" not found")),
                    ),
                }
            }
            ("DELETE", ["api", "v1", "namespaces", ns, "pods", name]) => {
                let mut c = state.lock().unwrap();
                if c.forbidden.iter().any(|f| f == name) {
                    (
                        403,
                        status(
                            403,
                            "Forbidden",
                            &format!(
                                "pods \"{name}\" is forbidden: User \"tester\" cannot delete resource \"pods\" in API group \"\" in the namespace \"{ns}\""
                            ),
                        ),
                    )
                } else if let Some(p) = c.pods.remove(&(ns.to_string(), name.to_string())) {
                    c.changes
                        .push(("DELETE".into(), req.path.clone(), req.body.clone()));
                    (200, watch::publish(&mut c, &events, "DELETED", p))
                } else {
                    (
                        404,
                        status(404, "NotFound", &format!("pods \"{name}\" not found")),
                    )
                }
            }
            ("GET", ["api", "v1", "namespaces", ns, "pods", name, "log"]) => {
                let key = (ns.to_string(), name.to_string());
                let previous = q.get("previous").is_some_and(|v| v == "true");
                let lines = {
                    let c = state.lock().unwrap();
                    let src = if previous { &c.previous_logs } else { &c.logs };
                    src.get(&key).cloned()
                };
                match lines {
                    Some(lines) => {
                        let tail: usize = q
                            .get("tailLines")
                            .and_then(|t| t.parse().ok())
                            .unwrap_or(usize::MAX);
                        let start = lines.len().saturating_sub(tail);
                        let text: String =
                            lines[start..].iter().map(|l| format!("{l}\n")).collect();
                        let head = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
                            text.len()
                        );
                        s.get_mut().write_all(head.as_bytes()).await?;
                        s.get_mut().write_all(text.as_bytes()).await?;
                        continue;
                    }
                    None => (
                        400,
                        status(
                            400,
                            "BadRequest",
                            &format!("previous terminated container \"{name}\" not found"),
                        ),
                    ),
                }
            }
            ("GET", ["api", "v1", "namespaces", ns, "events"]) => {
                let c = state.lock().unwrap();
                let want = q
                    .get("fieldSelector")
                    .and_then(|f| f.strip_prefix("involvedObject.name="))
                    .unwrap_or("");
                let items: Vec<Value> = c
                    .events
                    .iter()
                    .filter(|e| {
                        e["metadata"]["namespace"] == *ns
                            && (want.is_empty() || e["involvedObject"]["name"] == want)
                    })
                    .cloned()
                    .collect();
                (
                    200,
                    json!({"kind": "EventList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": items}),
                )
            }
            ("GET", ["apis", "apps", "v1", "namespaces", ns, "deployments", name]) => {
                match state
                    .lock()
                    .unwrap()
                    .deployments
                    .get(&(ns.to_string(), name.to_string()))
                {
                    Some(d) => (200, d.clone()),
                    None => (
                        404,
                        status(
                            404,
                            "NotFound",
                            &format!("deployments.apps \"{name}\" not found"),
                        ),
                    ),
                }
            }
            ("PATCH", ["apis", "apps", "v1", "namespaces", ns, "deployments", name]) => {
                let mut c = state.lock().unwrap();
                let key = (ns.to_string(), name.to_string());
                if let Some(d) = c.deployments.get_mut(&key) {
                    merge(d, req.body.clone());
                    let d = d.clone();
                    c.changes
                        .push(("PATCH".into(), req.path.clone(), req.body.clone()));
                    (200, d)
                } else {
                    (
                        404,
                        status(
                            404,
                            "NotFound",
                            &format!("deployments.apps \"{name}\" not found"),
                        ),
                    )
                }
            }
            (
                "PATCH",
                [
                    "apis",
                    "apps",
                    "v1",
                    "namespaces",
                    ns,
                    "deployments",
                    name,
                    "scale",
                ],
            ) => {
                let mut c = state.lock().unwrap();
                let key = (ns.to_string(), name.to_string());
                let replicas = req.body["spec"]["replicas"].clone();
                if let Some(d) = c.deployments.get_mut(&key) {
                    d["spec"]["replicas"] = replicas.clone();
                    c.changes
                        .push(("PATCH".into(), req.path.clone(), req.body.clone()));
                    (
                        200,
                        json!({"kind": "Scale", "apiVersion": "autoscaling/v1",
                        "metadata": {"name": name, "namespace": ns}, "spec": {"replicas": replicas},
                        "status": {"replicas": replicas}}),
                    )
                } else {
                    (
                        404,
                        status(
                            404,
                            "NotFound",
                            &format!("deployments.apps \"{name}\" not found"),
                        ),
                    )
                }
            }
            ("GET", ["apis", "apps", "v1", "namespaces", ns, "statefulsets", name]) => {
                get_statefulset(&state, ns, name)
            }
            // Audit tests: see `AuditKnobs`.
            ("GET", ["apis", "apps", "v1", "namespaces", ns, "replicasets", name]) => {
                get_replicaset(&state, ns, name)
            }
            (
                "GET",
                [
                    "apis",
                    "apps",
                    "v1",
                    "namespaces",
                    ns,
                    "deployments",
                    name,
                    "scale",
                ],
            ) => get_scale(&state, ns, name),
            _ => (
                404,
                status(
                    404,
                    "NotFound",
                    "the server could not find the requested resource",
                ),
            ),
        };
        if code == 0 {
            return Ok(()); // a watch that ended
        }
        let body = odd_2xx(&state, &req.method, code, body);
        respond(&mut s, code, &body).await?;
    }
    Ok(())
}

fn merge(a: &mut Value, b: Value) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (a, b) => *a = b,
    }
}

/// The `403` for a request RBAC refuses, if it does.
fn refused(state: &Arc<Mutex<Cluster>>, req: &Request, segs: &[&str]) -> Option<(u16, Value)> {
    let watching = req
        .query
        .get("watch")
        .is_some_and(|w| w == "true" || w == "1");
    let a = rbac::attributes(&req.method, segs, watching)?;
    let allowed = state.lock().unwrap().rbac.allows(&a);
    (!allowed).then(|| rbac::forbidden(&a))
}

// ---- Audit tests (issue 17 point 2): ReplicaSets, a deployment's scale,
// ---- and 2xx answers with an unexpected body. Nothing above depends on
// ---- these beyond the two routes and the `odd_2xx` hook in `serve`.

/// What the audit tests set on the server.
#[derive(Default)]
pub struct AuditKnobs {
    /// ReplicaSets by (namespace, name), for owner lookups.
    pub replicasets: BTreeMap<(String, String), Value>,
    /// Changes (DELETE, PATCH) that succeed are answered with this body
    /// instead of the object: a 2xx whose body no client expects.
    pub odd_body: Option<Value>,
}

/// A ReplicaSet owned (controller) by `owner`, a Deployment, when given.
pub fn replicaset(ns: &str, name: &str, owner: Option<&str>) -> Value {
    let refs: Vec<Value> = owner
        .map(|o| {
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": o,
                   "uid": format!("uid-{o}"), "controller": true, "blockOwnerDeletion": true})
        })
        .into_iter()
        .collect();
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": ns, "uid": format!("uid-{name}"),
                     "resourceVersion": "1", "ownerReferences": refs},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}}},
        "status": {"replicas": 1}
    })
}

fn get_replicaset(state: &Arc<Mutex<Cluster>>, ns: &str, name: &str) -> (u16, Value) {
    let c = state.lock().unwrap();
    match c.audit.replicasets.get(&(ns.to_string(), name.to_string())) {
        Some(rs) => (200, rs.clone()),
        None => (
            404,
            status(
                404,
                "NotFound",
                &format!("replicasets.apps \"{name}\" not found"),
            ),
        ),
    }
}

fn get_scale(state: &Arc<Mutex<Cluster>>, ns: &str, name: &str) -> (u16, Value) {
    let c = state.lock().unwrap();
    match c.deployments.get(&(ns.to_string(), name.to_string())) {
        Some(d) => (
            200,
            json!({"kind": "Scale", "apiVersion": "autoscaling/v1",
                   "metadata": {"name": name, "namespace": ns},
                   "spec": {"replicas": d["spec"]["replicas"]},
                   "status": {"replicas": d["status"]["replicas"]}}),
        ),
        None => (
            404,
            status(
                404,
                "NotFound",
                &format!("deployments.apps \"{name}\" not found"),
            ),
        ),
    }
}

/// The body a change is answered with: the odd one when set and the change
/// succeeded.
fn odd_2xx(state: &Arc<Mutex<Cluster>>, method: &str, code: u16, body: Value) -> Value {
    let odd = state.lock().unwrap().audit.odd_body.clone();
    match odd {
        Some(o) if matches!(method, "DELETE" | "PATCH") && (200..300).contains(&code) => o,
        _ => body,
    }
}

// ---- Owner scope tests (issue 17 point 4): a StatefulSet to own pods.

/// A StatefulSet whose pods carry `app: name`.
pub fn statefulset(ns: &str, name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": ns, "uid": format!("uid-{name}"), "resourceVersion": "1"},
        "spec": {"replicas": 1, "serviceName": name, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": name, "image": format!("{name}:1.0")}]}}},
        "status": {"replicas": 1}
    })
}

fn get_statefulset(state: &Arc<Mutex<Cluster>>, ns: &str, name: &str) -> (u16, Value) {
    let c = state.lock().unwrap();
    match c.statefulsets.get(&(ns.to_string(), name.to_string())) {
        Some(s) => (200, s.clone()),
        None => (
            404,
            status(
                404,
                "NotFound",
                &format!("statefulsets.apps \"{name}\" not found"),
            ),
        ),
    }
}
